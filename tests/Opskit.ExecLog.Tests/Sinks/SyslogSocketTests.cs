using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Sinks;

/// <summary>A real Unix datagram socket bound by the test stands in for /dev/log.</summary>
public sealed class SyslogSocketTests
{
    [Fact]
    public async Task Record_arrives_as_RFC_5424_with_structured_data()
    {
        using var dir = new TempDirectory("execlog");
        var socketPath = dir.File("log.sock");
        using var syslog = Bind(socketPath);

        var (exit, stdout, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to syslog --syslog-socket {Wrapper.Quote(socketPath)} --priority local3.notice --syslog-tag nagios-audit --tag check=disk --tag 'team=sre ops' --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'echo \"DISK OK - [all] \\\"fine\\\"\"; exit 0'");

        Assert.Equal(0, exit);
        Assert.Equal("DISK OK - [all] \"fine\"\n", Encoding.UTF8.GetString(stdout));
        var message = Receive(syslog);
        // local3 = 19, notice = 5: PRI 157.
        Assert.StartsWith("<157>1 ", message, StringComparison.Ordinal);
        var header = message.Split(' ', 7);
        Assert.Equal(Environment.MachineName, header[2].Split('.')[0]);
        Assert.Equal("nagios-audit", header[3]);
        Assert.Equal("exec", header[5]);
        Assert.StartsWith("[execlog@32473 result=\"exited\" exit=\"0\" exit_status=\"0\" ", header[6], StringComparison.Ordinal);
        Assert.Contains(" stdout_bytes=\"23\" stderr_bytes=\"0\" ", message, StringComparison.Ordinal);
        Assert.Contains(" first_line=\"DISK OK - [all\\] \\\"fine\\\"\"]", message, StringComparison.Ordinal);
        Assert.Contains("[tags@32473 check=\"disk\" team=\"sre ops\"]", message, StringComparison.Ordinal);
        Assert.Contains(" command=\"sh -c 'echo \\\"DISK OK", message, StringComparison.Ordinal);
        Assert.EndsWith("first_line='DISK OK - [all] \"fine\"'", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rfc3164_has_the_traditional_header()
    {
        using var dir = new TempDirectory("execlog");
        var socketPath = dir.File("log.sock");
        using var syslog = Bind(socketPath);

        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to syslog --syslog-format rfc3164 --syslog-socket {Wrapper.Quote(socketPath)} --state-file {Wrapper.Quote(dir.File("state"))} -- sh -c 'exit 2'");

        Assert.Equal(2, exit);
        var message = Receive(syslog);
        // auth.info (the default): PRI 38.
        Assert.Matches(@"^<38>[A-Z][a-z]{2} [ 1-3][0-9] \d\d:\d\d:\d\d opskit-execlog\[\d+\]: exit=2 wall=", message);
        Assert.EndsWith("cmd=[sh -c 'exit 2'] first_line=''", message, StringComparison.Ordinal);
    }

    internal static Socket Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.ReceiveTimeout = 30_000;
        return socket;
    }

    internal static string Receive(Socket socket)
    {
        var buffer = new byte[65536];
        var length = socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }
}
