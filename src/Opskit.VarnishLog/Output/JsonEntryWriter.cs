using System.Buffers;
using System.Text;
using System.Text.Json;
using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>One JSON object per line (JSON Lines); one reused writer and buffer, no strings per request.</summary>
internal sealed class JsonEntryWriter : IEntryWriter, IDisposable
{
    private readonly Utf8Output _output;
    private readonly bool _requestHeaders;
    private readonly bool _responseHeaders;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;

    public JsonEntryWriter(Utf8Output output, bool requestHeaders, bool responseHeaders)
    {
        _output = output;
        _requestHeaders = requestHeaders;
        _responseHeaders = responseHeaders;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(RequestRecord record)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        var w = _writer;
        w.WriteStartObject();
        w.WriteNumber("vxid"u8, record.Vxid);
        Text(w, "client"u8, record[record.Client]);
        Text(w, "remote"u8, record[record.RemoteIp]);
        Text(w, "method"u8, record[record.Method]);
        Text(w, "url"u8, record[record.Url]);
        Text(w, "protocol"u8, record[record.Protocol]);
        if (record.Handling == Handling.None)
        {
            w.WriteNull("handling"u8);
        }
        else
        {
            w.WriteString("handling"u8, HandlingNames.Name(record.Handling));
        }

        if (record.Status >= 0)
        {
            w.WriteNumber("status"u8, record.Status);
        }
        else
        {
            w.WriteNull("status"u8);
        }

        Text(w, "reason"u8, record[record.Reason]);
        Number(w, "time_ms"u8, record.TotalMs);
        Number(w, "process_ms"u8, record.ProcessMs);
        if (double.IsFinite(record.StartTime))
        {
            w.WriteNumber("start"u8, Math.Round(record.StartTime, 6));
        }

        if (record.BodyBytes >= 0)
        {
            w.WriteNumber("bytes"u8, record.BodyBytes);
        }

        if (_requestHeaders)
        {
            Headers(w, "req_headers"u8, record, record.RequestHeaders);
        }

        if (_responseHeaders)
        {
            Headers(w, "resp_headers"u8, record, record.ResponseHeaders);
        }

        w.WriteEndObject();
        w.Flush();
        _output.Write(_buffer.WrittenSpan);
        _output.Write((byte)'\n');
    }

    public void Dispose() => _writer.Dispose();

    private static void Headers(Utf8JsonWriter w, ReadOnlySpan<byte> name, RequestRecord record, List<Slice> headers)
    {
        w.WriteStartArray(name);
        foreach (var slice in headers)
        {
            StringValue(w, record[slice]);
        }

        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, ReadOnlySpan<byte> name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Text(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        w.WritePropertyName(name);
        StringValue(w, value);
    }

    private static void StringValue(Utf8JsonWriter w, ReadOnlySpan<byte> value)
    {
        if (System.Text.Unicode.Utf8.IsValid(value))
        {
            w.WriteStringValue(value);
        }
        else
        {
            // Logs can hold any bytes; JSON cannot. Rare, so the replacement may allocate.
            w.WriteStringValue(Encoding.UTF8.GetString(value));
        }
    }
}
