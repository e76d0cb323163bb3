using System.Buffers.Text;
using System.Globalization;
using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>
/// varnishncsa's default line, <c>%h %l %u %t "%r" %s %b "%{Referer}i" "%{User-agent}i"</c>, in the local time zone as
/// varnishncsa writes it.
/// </summary>
internal sealed class NcsaEntryWriter : IEntryWriter
{
    private readonly Utf8Output _output;
    private readonly TimeZoneInfo _zone;

    public NcsaEntryWriter(Utf8Output output, TimeZoneInfo zone)
    {
        _output = output;
        _zone = zone;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(RequestRecord record)
    {
        var o = _output;
        OrDash(record[record.Client]);
        o.Write(" - "u8);
        RemoteUser(record);
        o.Write(" ["u8);
        Time(record.StartTime);
        o.Write("] \""u8);
        OrDash(record[record.Method]);
        o.Write((byte)' ');
        var url = record[record.Url];
        if (!url.StartsWith("http://"u8) && !url.StartsWith("https://"u8) && record.TryGetHeader(record.RequestHeaders, "Host"u8, out var host))
        {
            o.Write("http://"u8);
            o.Write(host);
        }

        OrDash(url);
        o.Write((byte)' ');
        OrDash(record[record.Protocol]);
        o.Write("\" "u8);
        if (record.Status >= 0)
        {
            o.Write(record.Status);
        }
        else
        {
            o.Write((byte)'-');
        }

        o.Write((byte)' ');
        if (record.BodyBytes > 0)
        {
            o.Write(record.BodyBytes);
        }
        else
        {
            o.Write((byte)'-');
        }

        o.Write(" \""u8);
        Header(record, "Referer"u8);
        o.Write("\" \""u8);
        Header(record, "User-agent"u8);
        o.Write("\"\n"u8);
    }

    private void Header(RequestRecord record, ReadOnlySpan<byte> name) =>
        OrDash(record.TryGetHeader(record.RequestHeaders, name, out var value) ? value : []);

    private void RemoteUser(RequestRecord record)
    {
        // %u: the user of HTTP basic authentication.
        if (record.TryGetHeader(record.RequestHeaders, "Authorization"u8, out var value) && value.StartsWith("Basic "u8))
        {
            Span<byte> decoded = stackalloc byte[256];
            var encoded = value[6..].Trim((byte)' ');
            if (encoded.Length <= 340 && Base64.DecodeFromUtf8(encoded, decoded, out _, out var written) == System.Buffers.OperationStatus.Done)
            {
                var colon = decoded[..written].IndexOf((byte)':');
                if (colon > 0)
                {
                    _output.Write(decoded[..colon]);
                    return;
                }
            }
        }

        _output.Write((byte)'-');
    }

    private void Time(double start)
    {
        if (!double.IsFinite(start) || start < 0 || start > 253402300799)
        {
            _output.Write((byte)'-');
            return;
        }

        var utc = DateTimeOffset.FromUnixTimeMilliseconds((long)(start * 1000));
        var local = TimeZoneInfo.ConvertTime(utc, _zone);
        Span<char> chars = stackalloc char[40];
        local.TryFormat(chars, out var written, "dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture);
        var offset = local.Offset;
        chars[written++] = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        offset.TryFormat(chars[written..], out var offsetWritten, "hhmm", CultureInfo.InvariantCulture);
        written += offsetWritten;
        Span<byte> bytes = stackalloc byte[40];
        for (var i = 0; i < written; i++)
        {
            bytes[i] = (byte)chars[i];
        }

        _output.Write(bytes[..written]);
    }

    private void OrDash(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            _output.Write((byte)'-');
        }
        else
        {
            _output.Write(value);
        }
    }
}
