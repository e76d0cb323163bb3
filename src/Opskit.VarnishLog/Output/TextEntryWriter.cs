using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>
/// The original vlogdump's two lines, <c>%15s =&gt; METHOD URL PROTO LABEL</c> and <c>%15s &lt;= %-59s %10s ms</c>, with
/// the headers it can add. Colours (the original's green and red) only when asked for.
/// </summary>
internal sealed class TextEntryWriter : IEntryWriter
{
    private static ReadOnlySpan<byte> Green => "\e[1;32m"u8;

    private static ReadOnlySpan<byte> Red => "\e[1;31m"u8;

    private static ReadOnlySpan<byte> Reset => "\e[0m"u8;

    private readonly Utf8Output _output;
    private readonly bool _colour;
    private readonly bool _requestHeaders;
    private readonly bool _responseHeaders;

    public TextEntryWriter(Utf8Output output, bool colour, bool requestHeaders, bool responseHeaders)
    {
        _output = output;
        _colour = colour;
        _requestHeaders = requestHeaders;
        _responseHeaders = responseHeaders;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public void Write(RequestRecord record)
    {
        var output = _output;
        var client = record[record.Client];
        output.Spaces(15 - client.Length);
        output.Write(client);
        output.Write(" => "u8);
        output.Write(record[record.Method]);
        output.Write((byte)' ');
        output.Write(record[record.Url]);
        output.Write((byte)' ');
        output.Write(record[record.Protocol]);
        output.Write((byte)' ');
        var hit = record.Handling == Handling.Hit;
        Coloured(hit, Label(record.Handling));
        output.Write((byte)'\n');

        output.Spaces(15);
        output.Write(" <= "u8);
        var statusLength = 0;
        if (record.Status >= 0)
        {
            Span<byte> digits = stackalloc byte[8];
            System.Buffers.Text.Utf8Formatter.TryFormat(record.Status, digits, out statusLength);
            output.Write(digits[..statusLength]);
        }

        if (record.Reason.IsSet)
        {
            var reason = record[record.Reason];
            output.Write((byte)' ');
            output.Write(reason);
            statusLength += 1 + reason.Length;
        }

        output.Spaces(59 - statusLength);
        output.Write((byte)' ');
        Span<byte> time = stackalloc byte[32];
        var timeLength = AwkNumber.Format(record.TotalMs, time);
        Coloured(record.TotalMs < 1000, time[..timeLength]);
        output.Write(" ms\n"u8);

        if (_requestHeaders)
        {
            Headers(record, record.RequestHeaders, "        req.http."u8);
        }

        if (_responseHeaders)
        {
            Headers(record, record.ResponseHeaders, "        resp.http."u8);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<byte> Label(Handling handling) => handling switch
    {
        Handling.Hit => "HIT"u8,
        Handling.Miss or Handling.HitMiss => "MISS"u8,
        Handling.Pass or Handling.HitPass => "PASS"u8,
        Handling.Pipe => "PIPE"u8,
        Handling.Synth => "SYNTH"u8,
        _ => "-"u8,
    };

    private void Headers(RequestRecord record, List<Slice> headers, ReadOnlySpan<byte> prefix)
    {
        foreach (var slice in headers)
        {
            HeaderLine.Split(record[slice], out var name, out var value);
            _output.Write(prefix);
            _output.Write(name);
            _output.Write(" = "u8);
            _output.Write(value);
            _output.Write((byte)'\n');
        }

        // The original prints the collected lines with awk's print, which adds one more newline.
        _output.Write((byte)'\n');
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Coloured(bool good, ReadOnlySpan<byte> text)
    {
        if (_colour)
        {
            _output.Write(good ? Green : Red);
            _output.Write(text);
            _output.Write(Reset);
        }
        else
        {
            _output.Write(text);
        }
    }
}
