using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Opskit.Statsd.Compat.Tests.Support;
using Opskit.Testing;
using Xunit;

namespace Opskit.Statsd.Compat.Tests.EndToEnd;

/// <summary>
/// Issue 21: a large flush to a real carbon-cache that stops reading mid-flush (SIGSTOP by PID, for longer than
/// the connect timeout that once bounded the whole write) arrives whole and once when carbon reads again.
/// </summary>
public sealed partial class ThrottledCarbonTests
{
    private const int Keys = 100_000; // ~9 MB of lines: more than the kernel's buffers hold while carbon is stopped
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_large_flush_to_a_carbon_that_stops_reading_arrives_whole_and_once()
    {
        // Carbon parses every line; all but three marker keys are blacklisted after parsing, so the test does not
        // create 200,000 whisper files. The markers are the first, a middle and the last key of the flush.
        await using var carbon = await CarbonServer.StartAsync(
            extraSettings: "USE_WHITELIST = True\n",
            blacklist: @"^stats\.counters\.big\.k(?!000000\.|050000\.|099999\.)");
        var udp = FreePort.Udp();
        var tcp = FreePort.Tcp();
        var config = new EtsyConfig
        {
            { "flushInterval", 3000 },
            { "graphiteHost", "127.0.0.1" },
            { "graphitePort", carbon.LinePort },
            { "backends", new[] { "./backends/graphite" } },
            { "deleteCounters", true },
            // A stall is cut only after a minute without progress; a connect is given one second, the bound that
            // once also cut the write (issue 21: a 5 s connect timeout cut slow flushes).
            { "graphite", new EtsyConfig { { "legacyNamespace", false }, { "connectTimeout", 1000 }, { "writeTimeout", 60000 } } },
            { "port", udp },
            {
                "servers", new[]
                {
                    new EtsyConfig { { "server", "./servers/udp" }, { "address", "127.0.0.1" }, { "port", udp } },
                    new EtsyConfig { { "server", "./servers/tcp" }, { "address", "127.0.0.1" }, { "port", tcp } },
                }
            },
        };
        await using var statsd = await StatsdDaemon.StartAsync(StatsdDaemon.Opskit, config);
        await statsd.Process.WaitForTcpPortAsync(tcp, Timeout);

        var stopped = false;
        try
        {
            await SignalAsync("STOP", carbon.Process.Pid);
            stopped = true;
            await SendKeysAsync(tcp);
            await Eventually.AssertAsync(
                async () => (await statsd.ManagementAsync("stats", "END\n\n", TimeSpan.FromSeconds(30))).Contains($"receive.lines: {Keys}\n", StringComparison.Ordinal),
                Timeout,
                "every key received");

            // The flush that carries the keys is stuck: the daemon's socket to carbon holds unsent bytes.
            var stall = Stopwatch.StartNew();
            var stalled = await Eventually.TryAsync(() => UnsentTo(carbon.LinePort) > 65_536, Timeout);
            Assert.True(stalled, $"the big flush did not stall on the stopped carbon; statsd output:\n{statsd.Process.Output}");
            stall.Restart();

            // Carbon stays stopped for three connect timeouts while the write makes no progress.
            await Eventually.AssertAsync(() => stall.Elapsed > TimeSpan.FromSeconds(3) && UnsentTo(carbon.LinePort) > 65_536, Timeout, "a stall longer than the connect timeout");
            await SignalAsync("CONT", carbon.Process.Pid);
            stopped = false;

            foreach (var marker in new[] { "big.k000000", "big.k050000", "big.k099999" })
            {
                var metric = $"stats.counters.{marker}.count";
                await Eventually.AssertAsync(
                    async () => (await carbon.FetchAsync(metric)).Any(point => point.Value == 1),
                    Timeout,
                    $"{metric} = 1 in carbon; carbon output:\n{carbon.Process.Output}");
                // Once: one point with the key's count (deleteCounters: the key is gone after that flush).
                Assert.Single(await carbon.FetchAsync(metric), point => point.Value == 1);
            }

            var stats = await statsd.ManagementAsync("stats", "END\n\n", TimeSpan.FromSeconds(30));
            Assert.Contains("graphite.unsent_flushes: 0\n", stats, StringComparison.Ordinal);
            Assert.Contains("graphite.dropped_flushes: 0\n", stats, StringComparison.Ordinal);
            // No attempt was cut: nothing was sent twice.
            Assert.DoesNotContain("cut while sending", statsd.Process.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("unreachable", statsd.Process.Output, StringComparison.Ordinal);
            // Carbon saw every statsd connection close cleanly, none lost midway.
            Assert.Matches(ClosedCleanly(), carbon.Process.Output);
            Assert.DoesNotMatch(ConnectionLost(), carbon.Process.Output);
        }
        finally
        {
            if (stopped)
            {
                await SignalAsync("CONT", carbon.Process.Pid);
            }
        }
    }

    private static async Task SendKeysAsync(int port)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var stream = client.GetStream();
        var batch = new StringBuilder();
        for (var i = 0; i < Keys; i++)
        {
            batch.Append("big.k").Append(i.ToString("D6", CultureInfo.InvariantCulture)).Append(":1|c\n");
            if (batch.Length > 60_000 || i == Keys - 1)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(batch.ToString()), Ct);
                batch.Clear();
            }
        }

        await stream.FlushAsync(Ct);
    }

    private static async Task SignalAsync(string signal, int pid) =>
        await ProgramRun.CheckedAsync("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(30));

    /// <summary>
    /// Bytes waiting in the send queues of sockets connected to 127.0.0.1:<paramref name="port"/> (tx_queue in
    /// /proc/net/tcp, and /proc/net/tcp6 for .NET's dual-mode sockets, which show it as ::ffff:127.0.0.1).
    /// </summary>
    private static long UnsentTo(int port)
    {
        var suffix = "0100007F:" + port.ToString("X4", CultureInfo.InvariantCulture);
        long total = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var fields = line.TrimStart().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[2].EndsWith(suffix, StringComparison.Ordinal))
                {
                    total += long.Parse(fields[4].Split(':')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }
        }

        return total;
    }

    [GeneratedRegex(@"connection with 127\.0\.0\.1:\d+ closed cleanly")]
    private static partial Regex ClosedCleanly();

    [GeneratedRegex(@"connection with 127\.0\.0\.1:\d+ lost")]
    private static partial Regex ConnectionLost();
}
