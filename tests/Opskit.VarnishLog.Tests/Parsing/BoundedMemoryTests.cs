using Opskit.VarnishLog.Output;

namespace Opskit.VarnishLog.Tests.Parsing;

/// <summary>A million requests through the whole pipeline: memory must not grow with the input.</summary>
public sealed class BoundedMemoryTests
{
    [Fact]
    public void A_million_requests_with_unfinished_ones_stay_in_bounded_memory()
    {
        const int Requests = 1_000_000;
        const int MaxPending = 1000;
        using var run = new VlogdumpRun(new VlogdumpSettings { Format = OutputFormat.Json, MaxPending = MaxPending }, Stream.Null, TimeProvider.System);
        var chunk = new byte[1 << 20];
        var used = 0;
        long heapAt100K = 0;
        long unfinished = 0;
        for (var i = 0; i < Requests; i++)
        {
            // 64 sessions interleaved; every 20th request never ends; 50,000 distinct URLs.
            var fd = 100 + (i % 64);
            var xid = 1_000_000 + i;
            Line(fd, "ReqStart     c 10.0.0.1 5000 "u8, xid, []);
            Line(fd, "RxURL        c /item/"u8, i % 50_000, []);
            Line(fd, "VCL_call     c recv lookup"u8, -1, []);
            if (i % 20 == 19)
            {
                unfinished++;
            }
            else
            {
                Line(fd, "TxStatus     c 200"u8, -1, []);
                Line(fd, "ReqEnd       c "u8, xid, " 1700000000.000 1700000000.002 0 0.001 0.001"u8);
            }

            if (used > chunk.Length - 4096)
            {
                run.Feed(chunk.AsSpan(0, used));
                used = 0;
            }

            if (i == 100_000)
            {
                heapAt100K = HeapAfterCollection();
            }
        }

        run.Feed(chunk.AsSpan(0, used));
        run.Complete();
        var heapAtEnd = HeapAfterCollection();

        var counters = run.Assembler.Counters;
        Assert.Equal(Requests - unfinished, counters.Requests);
        // A request cut off by the next one on its session is counted, not kept.
        Assert.Equal(unfinished, counters.Incomplete);
        Assert.True(run.Assembler.RecordsCreated <= MaxPending + 1, $"{run.Assembler.RecordsCreated} records");
        Assert.True(run.Summary.UrlsApproximate || run.Summary.TopUrls(10).Count == 10);
        Assert.True(heapAtEnd - heapAt100K < 16 * 1024 * 1024, $"heap grew from {heapAt100K:N0} to {heapAtEnd:N0} bytes");
        Assert.True(heapAtEnd < 64 * 1024 * 1024, $"heap at the end {heapAtEnd:N0} bytes");


        void Line(int fd, ReadOnlySpan<byte> middle, long number, ReadOnlySpan<byte> tail)
        {
            // "%5u " then the rest: the legacy layout without string formatting, so that generating a million requests stays cheap.
            var span = chunk.AsSpan(used);
            span[..5].Fill((byte)' ');
            System.Buffers.Text.Utf8Formatter.TryFormat(fd, span[2..], out _);
            span[5] = (byte)' ';
            var n = 6;
            middle.CopyTo(span[n..]);
            n += middle.Length;
            if (number >= 0)
            {
                System.Buffers.Text.Utf8Formatter.TryFormat(number, span[n..], out var digits);
                n += digits;
            }

            tail.CopyTo(span[n..]);
            n += tail.Length;
            span[n++] = (byte)'\n';
            used += n;
        }
    }

    private static long HeapAfterCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
