using System.Buffers;
using System.Text;
using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Output;
using Opskit.VarnishLog.Parsing;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog;

/// <summary>
/// One run: a byte stream → lines → requests → filters → an output format, plus the summary. Usable without the
/// command line (tests, benchmarks).
/// </summary>
internal sealed class VlogdumpRun : IRequestSink, IDisposable
{
    // 1 MiB: a read and an output flush per MiB of log. A pipe read returns what is there, so following is not delayed.
    private const int ReadBufferBytes = 1024 * 1024;

    private readonly VlogdumpSettings _settings;
    private readonly RequestFilter _filter;
    private readonly Utf8Output _output;
    private readonly IEntryWriter? _writer;
    private readonly LineSplitter _splitter;
    // With --no-summary nothing reads the summary: counting every URL would be work for nothing.
    private readonly bool _summarize;

    /// <summary>Builds the run; <see cref="FormatException"/> when a filter regex or the query is invalid.</summary>
    public VlogdumpRun(VlogdumpSettings settings, Stream output, TimeProvider time, TimeZoneInfo? zone = null)
    {
        _settings = settings;
        _summarize = !settings.NoSummary;
        _filter = new RequestFilter(settings.Filters);
        _output = new Utf8Output(output);
        _writer = settings.SummaryOnly ? null : settings.Format switch
        {
            OutputFormat.Json => new JsonEntryWriter(_output, settings.Filters.ShowRequestHeaders, settings.Filters.ShowResponseHeaders),
            OutputFormat.Ncsa => new NcsaEntryWriter(_output, zone ?? TimeZoneInfo.Local),
            OutputFormat.Tsv => new TsvEntryWriter(_output),
            _ => new TextEntryWriter(_output, settings.Colour, settings.Filters.ShowRequestHeaders, settings.Filters.ShowResponseHeaders),
        };
        var options = new AssemblerOptions
        {
            MaxPending = settings.MaxPending,
            PendingTimeout = settings.PendingTimeout,
            ClientIpHeader = string.IsNullOrEmpty(settings.ClientIpHeader) ? null : Encoding.ASCII.GetBytes(settings.ClientIpHeader),
            CapturedTags = _filter.Query?.Tags ?? Query.TagPatternSet.None,
        };
        Assembler = new TransactionAssembler(options, time, this);
        _splitter = new LineSplitter(Assembler);
    }

    public TransactionAssembler Assembler { get; }

    public RequestSummary Summary { get; } = new();

    /// <summary>Reads <paramref name="input"/> to its end or until <paramref name="stop"/>; output is flushed after each read.</summary>
    public async Task ReadAsync(Stream input, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input is FileStream { CanSeek: true })
        {
            // A regular file: reads never wait for a writer, so they are made here, synchronously. The async path
            // (a thread-pool hop, WhenAny and continuations per read) put ~100 framework methods through tiered
            // re-jitting during a 100k-request run, for nothing.
            ReadFile(input, stop);
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        var abandoned = false;
        try
        {
            var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var registration = stop.Register(() => stopped.TrySetResult());
            while (!stop.IsCancellationRequested)
            {
                // Reads from a terminal or pipe do not all honour cancellation: wait for either.
                var read = input.ReadAsync(buffer.AsMemory(0, ReadBufferBytes), stop).AsTask();
                if (await Task.WhenAny(read, stopped.Task).ConfigureAwait(false) != read)
                {
                    abandoned = true;
                    _ = read.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    break;
                }

                int count;
                try
                {
                    count = await read.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                if (count == 0)
                {
                    break;
                }

                Feed(buffer.AsSpan(0, count));
            }
        }
        finally
        {
            // A read still pending may write into the buffer later: only an idle buffer goes back to the pool.
            if (!abandoned)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        Complete();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ReadFile(Stream input, CancellationToken stop)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            int count;
            while (!stop.IsCancellationRequested && (count = input.Read(buffer, 0, ReadBufferBytes)) > 0)
            {
                Feed(buffer.AsSpan(0, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        Complete();
    }

    /// <summary>
    /// Reads a binary <c>varnishlog -w</c> file of <paramref name="layout"/>, positioned after its 4-byte header, to
    /// its end. Returns null when done, or why the file cannot be read here (nothing was read into the run then: the
    /// caller reads it through <c>varnishlog -r</c>).
    /// </summary>
    public string? ReadBinary(Stream input, VslBinaryLayout layout, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(input);
        var reader = new VslBinaryReader(layout, Assembler);
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
        try
        {
            var filled = input.ReadAtLeast(buffer.AsSpan(0, ReadBufferBytes), ReadBufferBytes, throwOnEndOfStream: false);
            if (reader.Verify(buffer.AsSpan(0, filled)) is { } unreadable)
            {
                return unreadable;
            }

            while (filled > 0 && !stop.IsCancellationRequested)
            {
                var consumed = reader.Decode(buffer.AsSpan(0, filled));
                Assembler.ExpireOld();
                _output.Flush();
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                var read = input.Read(buffer, filled, ReadBufferBytes - filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }

            reader.Complete(filled);
            _output.Flush();
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Feeds a chunk of log text (any split); flushes the output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        _splitter.Feed(chunk);
        Assembler.ExpireOld();
        _output.Flush();
    }

    /// <summary>End of input: open requests are counted as incomplete, output flushed.</summary>
    public void Complete()
    {
        _splitter.Complete();
        _output.Flush();
    }

    /// <summary>The summary: text for people, or JSON with <c>--format json</c>.</summary>
    public string SummaryText(bool json) =>
        json ? Summary.ToJson(Assembler.Counters, Assembler.Format) : Summary.ToText(Assembler.Counters, Assembler.Format);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OnRequest(RequestRecord record)
    {
        if (!_filter.Accepts(record))
        {
            return;
        }

        if (_summarize)
        {
            Summary.Add(record);
        }

        _writer?.Write(record);
    }

    public void Dispose()
    {
        (_writer as IDisposable)?.Dispose();
        _splitter.Dispose();
        _output.Dispose();
    }
}
