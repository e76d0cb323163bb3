using System.Buffers;
using System.Net.Sockets;
using System.Text;

namespace Opskit.Statsd.Net;

/// <summary>What <see cref="LineReader.ReadLineAsync"/> found.</summary>
internal enum LineStatus
{
    /// <summary>A line (without its newline; a final line without one when the peer closed).</summary>
    Line,

    /// <summary>The peer closed (or the reader was stopped) with nothing left.</summary>
    Closed,

    /// <summary>No byte arrived within the idle timeout.</summary>
    Idle,

    /// <summary>A line grew past the maximum length without a newline.</summary>
    TooLong,
}

/// <summary>
/// Reads newline-framed Latin-1 lines from a socket with a bounded buffer (never more than the maximum line
/// length plus one read) and an idle timeout. Replaces a <see cref="StreamReader"/>, which buffers a line of
/// any length (issue 21: 100 MB without a newline on the management port grew RSS by 460 MB).
/// </summary>
internal sealed class LineReader : IDisposable
{
    private readonly Socket _socket;
    private readonly int _maxLine;
    private readonly TimeSpan _idle;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;

    public LineReader(Socket socket, int maxLineLength, TimeSpan idleTimeout)
    {
        _socket = socket;
        _maxLine = maxLineLength;
        _idle = idleTimeout;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(4096, maxLineLength + 1));
    }

    /// <summary>True when bytes of a next line are already buffered (a client that pipelines commands).</summary>
    public bool HasBuffered => _end > _start;

    public async ValueTask<(LineStatus Status, string? Line)> ReadLineAsync(CancellationToken cancellationToken)
    {
        var scanned = _start;
        while (true)
        {
            var newline = _buffer.AsSpan(scanned, _end - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var end = scanned + newline;
                if (end - _start > _maxLine)
                {
                    return (LineStatus.TooLong, null);
                }

                var line = Encoding.Latin1.GetString(_buffer, _start, end - _start);
                _start = end + 1;
                return (LineStatus.Line, line.TrimEnd('\r'));
            }

            scanned = _end;
            if (_end - _start > _maxLine)
            {
                return (LineStatus.TooLong, null);
            }

            if (_eof)
            {
                if (_end == _start)
                {
                    return (LineStatus.Closed, null);
                }

                var rest = Encoding.Latin1.GetString(_buffer, _start, _end - _start);
                _start = _end;
                return (LineStatus.Line, rest);
            }

            MakeRoom();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_idle);
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (LineStatus.Idle, null);
            }
            catch (OperationCanceledException)
            {
                return (LineStatus.Closed, null);
            }

            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxLine + 1));
            _buffer.AsSpan(0, _end).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
