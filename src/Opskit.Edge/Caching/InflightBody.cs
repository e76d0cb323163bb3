namespace Opskit.Edge.Caching;

/// <summary>
/// The body of a miss while it arrives from the origin (Varnish's streaming with request coalescing): the fetch
/// appends what it reads, and every client of the object reads from its own position as soon as bytes are there.
/// While the body fits the object limit every segment is kept, so a client that joins late starts from byte 0 and the
/// whole body is stored at the end. Past the limit nothing will be stored: segments every reader has passed are
/// dropped, late clients can no longer join, and the fetch waits for the slowest reader once <see cref="Window"/>
/// bytes are unread, so an object of any size passes through in bounded memory.
/// </summary>
internal sealed class InflightBody
{
    /// <summary>Unread bytes kept for the slowest reader of an object over the limit before the fetch waits.</summary>
    public const int Window = 1024 * 1024;

    private readonly Lock _lock = new();
    private readonly List<byte[]> _segments = [];
    private readonly List<Reader> _readers = [];
    private readonly long _limit;
    private long _firstOffset;
    private long _length;
    private bool _complete;
    private Exception? _error;
    private bool _overLimit;
    private bool _startDropped;
    private TaskCompletionSource _appended = NewSignal();
    private TaskCompletionSource _consumed = NewSignal();

    public InflightBody(long limit, long? contentLength)
    {
        _limit = limit;
        ContentLength = contentLength;
        _overLimit = contentLength > limit; // Known too large: passed through from the first byte, never kept whole.
        First = new Reader(this);
        _readers.Add(First);
    }

    /// <summary>
    /// The reader of whoever started the fetch, attached before the first byte arrives (so nothing is dropped before
    /// anyone reads); disposed at once when nobody will read it (a background refresh).
    /// </summary>
    public Reader First { get; }

    /// <summary>The origin's Content-Length, when it sent one.</summary>
    public long? ContentLength { get; }

    /// <summary>Bytes received so far.</summary>
    public long Length
    {
        get
        {
            lock (_lock)
            {
                return _length;
            }
        }
    }

    /// <summary>True once the body passed the object limit: it will not be stored.</summary>
    public bool OverLimit
    {
        get
        {
            lock (_lock)
            {
                return _overLimit;
            }
        }
    }

    /// <summary>Readers attached and not yet done (for the fetch: nobody left to read means stop fetching).</summary>
    public int ReaderCount
    {
        get
        {
            lock (_lock)
            {
                return _readers.Count;
            }
        }
    }

    /// <summary>A reader from byte 0, or null when the start was already dropped (the object is over the limit).</summary>
    public Reader? Attach()
    {
        lock (_lock)
        {
            if (_startDropped)
            {
                return null;
            }

            var reader = new Reader(this);
            _readers.Add(reader);
            return reader;
        }
    }

    /// <summary>Adds bytes read from the origin; waits first while an object over the limit has a full window unread.</summary>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (!_overLimit || _length - MinimumPositionLocked() < Window || _readers.Count == 0)
                {
                    _segments.Add(data.ToArray());
                    _length += data.Length;
                    if (_length > _limit)
                    {
                        _overLimit = true;
                        TrimLocked();
                    }

                    SignalLocked(ref _appended);
                    return;
                }

                wait = _consumed.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The origin finished the body.</summary>
    public void Complete() => Finish(null);

    /// <summary>The fetch failed halfway: every reader gets <paramref name="error"/> instead of the rest.</summary>
    public void Fail(Exception error) => Finish(error);

    /// <summary>The whole body, when it is complete and within the limit.</summary>
    public byte[]? ToArray()
    {
        lock (_lock)
        {
            if (!_complete || _error is not null || _overLimit)
            {
                return null;
            }

            var body = new byte[_length];
            var at = 0;
            foreach (var segment in _segments)
            {
                segment.CopyTo(body, at);
                at += segment.Length;
            }

            return body;
        }
    }

    private void Finish(Exception? error)
    {
        lock (_lock)
        {
            _complete = true;
            _error = error;
            SignalLocked(ref _appended);
        }
    }

    private long MinimumPositionLocked()
    {
        var minimum = _length;
        foreach (var reader in _readers)
        {
            minimum = Math.Min(minimum, reader.Position);
        }

        return minimum;
    }

    private void TrimLocked()
    {
        var minimum = MinimumPositionLocked();
        while (_segments.Count > 0 && _firstOffset + _segments[0].Length <= minimum)
        {
            _firstOffset += _segments[0].Length;
            _segments.RemoveAt(0);
            _startDropped = true;
        }
    }

    private static void SignalLocked(ref TaskCompletionSource signal)
    {
        signal.TrySetResult();
        signal = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One client's position in the body.</summary>
    internal sealed class Reader(InflightBody body) : IDisposable
    {
        public long Position { get; private set; }

        /// <summary>
        /// The next bytes from <see cref="Position"/> (empty at the end), waiting until some arrive; throws the fetch's
        /// error when it failed before this reader reached the end.
        /// </summary>
        public async ValueTask<ReadOnlyMemory<byte>> ReadAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Task wait;
                lock (body._lock)
                {
                    if (Position < body._length)
                    {
                        var offset = body._firstOffset;
                        foreach (var segment in body._segments)
                        {
                            if (Position < offset + segment.Length)
                            {
                                var slice = segment.AsMemory((int)(Position - offset));
                                Position += slice.Length;
                                if (body._overLimit)
                                {
                                    body.TrimLocked();
                                    SignalLocked(ref body._consumed);
                                }

                                return slice;
                            }

                            offset += segment.Length;
                        }
                    }

                    if (body._complete)
                    {
                        return body._error is { } error ? throw new IOException("the origin's body failed halfway", error) : ReadOnlyMemory<byte>.Empty;
                    }

                    wait = body._appended.Task;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            lock (body._lock)
            {
                body._readers.Remove(this);
                if (body._overLimit)
                {
                    body.TrimLocked();
                }

                SignalLocked(ref body._consumed);
            }
        }
    }
}
