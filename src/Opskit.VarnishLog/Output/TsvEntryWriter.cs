using System.Buffers.Text;
using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>Tab-separated values with a header row; tabs and control bytes inside a value become spaces.</summary>
internal sealed class TsvEntryWriter : IEntryWriter
{
    /// <summary>The header row.</summary>
    public const string Columns = "vxid\tclient\tmethod\turl\tprotocol\thandling\tstatus\treason\ttime_ms\tbytes";

    private readonly Utf8Output _output;
    private bool _headerWritten;

    public TsvEntryWriter(Utf8Output output) => _output = output;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Write(RequestRecord record)
    {
        var o = _output;
        if (!_headerWritten)
        {
            o.Write(Columns);
            o.Write((byte)'\n');
            _headerWritten = true;
        }

        o.Write(record.Vxid);
        Cell(record[record.Client]);
        Cell(record[record.Method]);
        Cell(record[record.Url]);
        Cell(record[record.Protocol]);
        o.Write((byte)'\t');
        o.Write(HandlingNames.Utf8Name(record.Handling));
        o.Write((byte)'\t');
        if (record.Status >= 0)
        {
            o.Write(record.Status);
        }

        Cell(record[record.Reason]);
        o.Write((byte)'\t');
        if (double.IsFinite(record.TotalMs))
        {
            Span<byte> digits = stackalloc byte[32];
            if (Utf8Formatter.TryFormat(record.TotalMs, digits, out var written, new System.Buffers.StandardFormat('F', 3)))
            {
                o.Write(digits[..written]);
            }
        }

        o.Write((byte)'\t');
        if (record.BodyBytes >= 0)
        {
            o.Write(record.BodyBytes);
        }

        o.Write((byte)'\n');
    }

    private void Cell(ReadOnlySpan<byte> value)
    {
        _output.Write((byte)'\t');
        foreach (var b in value)
        {
            _output.Write(b < 0x20 || b == 0x7f ? (byte)' ' : b);
        }
    }
}
