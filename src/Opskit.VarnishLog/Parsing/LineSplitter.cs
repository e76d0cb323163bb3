using System.Buffers;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Parsing;

/// <summary>
/// Cuts a byte stream, fed in chunks of any size, into lines for the assembler. A line split across chunks is
/// carried in a pooled buffer; a line longer than <see cref="MaxLineBytes"/> is counted as malformed and skipped.
/// </summary>
internal sealed class LineSplitter : IDisposable
{
    /// <summary>Longer lines are not varnishlog output (its records are at most a few kB).</summary>
    public const int MaxLineBytes = 1 << 20;

    private readonly TransactionAssembler _assembler;
    private byte[] _carry = ArrayPool<byte>.Shared.Rent(4096);
    private int _carryLength;
    private bool _discarding;

    public LineSplitter(TransactionAssembler assembler) => _assembler = assembler;

    /// <summary>Processes every complete line in <paramref name="chunk"/>, keeping the unfinished tail.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // Jitted optimized at once: the per-line path.
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_carryLength > 0 || _discarding)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Carry(chunk);
                return;
            }

            Carry(chunk[..newline]);
            EndCarriedLine();
            chunk = chunk[(newline + 1)..];
        }

        while (true)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            _assembler.ProcessLine(chunk[..newline]);
            chunk = chunk[(newline + 1)..];
        }

        Carry(chunk);
    }

    /// <summary>End of input: a last line without a newline is still a line.</summary>
    public void Complete()
    {
        if (_carryLength > 0 || _discarding)
        {
            EndCarriedLine();
        }

        _assembler.Complete();
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_carry);
        _carry = [];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Carry(ReadOnlySpan<byte> part)
    {
        if (_discarding || part.IsEmpty)
        {
            return;
        }

        if (_carryLength + part.Length > MaxLineBytes)
        {
            _discarding = true;
            _carryLength = 0;
            return;
        }

        if (_carryLength + part.Length > _carry.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_carry.Length * 2, _carryLength + part.Length));
            _carry.AsSpan(0, _carryLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_carry);
            _carry = bigger;
        }

        part.CopyTo(_carry.AsSpan(_carryLength));
        _carryLength += part.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void EndCarriedLine()
    {
        if (_discarding)
        {
            _discarding = false;
            _assembler.Counters.Lines++;
            _assembler.Counters.MalformedLines++;
            return;
        }

        var length = _carryLength;
        _carryLength = 0;
        _assembler.ProcessLine(_carry.AsSpan(0, length));
    }
}
