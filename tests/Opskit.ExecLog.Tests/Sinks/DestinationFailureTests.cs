using System.Diagnostics;
using System.Net.Sockets;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Sinks;

public sealed class DestinationFailureTests
{
    [Fact]
    public async Task Missing_syslog_socket_falls_back_to_the_next_destination()
    {
        using var dir = new TempDirectory("execlog");
        var log = dir.File("runs.jsonl");
        var (exit, stdout, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --verbose --to syslog,file --syslog-socket {Wrapper.Quote(dir.File("missing.sock"))} --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'echo ran; exit 2'");

        Assert.Equal(2, exit);
        Assert.Equal("ran\n"u8.ToArray(), stdout);
        Assert.Contains("destination failed: syslog: ", stderr, StringComparison.Ordinal);
        Assert.Equal(2, Wrapper.SingleRecord(log).GetProperty("exit").GetInt32());
    }

    [Fact]
    public async Task Full_syslog_socket_neither_blocks_nor_fails_the_command()
    {
        using var dir = new TempDirectory("execlog");
        var socketPath = dir.File("full.sock");
        using var stalled = SyslogSocketTests.Bind(socketPath);
        // Fill the receive queue of a syslog daemon that never reads.
        using (var filler = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            filler.Connect(new UnixDomainSocketEndPoint(socketPath));
            filler.Blocking = false;
            var chunk = new byte[4096];
            for (var i = 0; i < 100_000; i++)
            {
                try
                {
                    filler.Send(chunk);
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.WouldBlock)
                {
                    break;
                }
            }
        }

        var log = dir.File("runs.jsonl");
        var clock = Stopwatch.StartNew();
        var (exit, stdout, stderr) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --verbose --to syslog,file --syslog-socket {Wrapper.Quote(socketPath)} --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(dir.File("state"))} -- echo still-runs",
            TimeSpan.FromSeconds(60));

        Assert.Equal(0, exit);
        Assert.Equal("still-runs\n"u8.ToArray(), stdout);
        Assert.Contains("syslog: receiver's queue is full", stderr, StringComparison.Ordinal);
        Assert.Single(Wrapper.Records(log));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task Full_disk_drops_the_record_and_the_next_record_carries_the_count()
    {
        using var dir = new TempDirectory("execlog");
        var state = dir.File("state");
        var (exit1, stdout1, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log /dev/full --state-file {Wrapper.Quote(state)} -- sh -c 'echo first; exit 3'");
        var (exit2, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(dir.File("nodir/x.jsonl"))} --state-file {Wrapper.Quote(state)} -- true");

        Assert.Equal(3, exit1);
        Assert.Equal("first\n"u8.ToArray(), stdout1);
        Assert.Equal(0, exit2);
        Assert.Equal("2", await File.ReadAllTextAsync(state, TestContext.Current.CancellationToken));

        var log = dir.File("runs.jsonl");
        var (exit3, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(state)} -- true");
        var (exit4, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to file --log {Wrapper.Quote(log)} --state-file {Wrapper.Quote(state)} -- true");

        Assert.Equal(0, exit3);
        Assert.Equal(0, exit4);
        var records = Wrapper.Records(log);
        Assert.Equal(2, records[0].GetProperty("dropped_before").GetInt64());
        Assert.Equal(0, records[1].GetProperty("dropped_before").GetInt64());
    }
}
