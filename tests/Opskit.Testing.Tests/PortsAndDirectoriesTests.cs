using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Opskit.Testing.Tests;

public sealed class PortsAndDirectoriesTests
{
    [Fact]
    public void Free_tcp_port_can_be_bound_on_loopback()
    {
        var port = FreePort.Tcp();

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        Assert.Equal(port, ((IPEndPoint)listener.LocalEndpoint).Port);
    }

    [Fact]
    public void Free_udp_and_tcp_port_can_be_bound_for_both()
    {
        var port = FreePort.TcpAndUdp();

        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        using var tcp = new TcpListener(IPAddress.Loopback, port);
        tcp.Start();
        Assert.InRange(port, 1, 65535);
    }

    [Fact]
    public void Free_ports_lie_below_the_ephemeral_range_and_are_never_handed_out_twice()
    {
        var start = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0], System.Globalization.CultureInfo.InvariantCulture);
        var ports = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var port = i % 2 == 0 ? FreePort.Udp() : FreePort.Tcp();
            Assert.InRange(port, 1024, start - 1);
            Assert.True(ports.Add(port), $"port {port} was handed out twice");
        }
    }

    [Fact]
    public void Temp_directory_is_removed_with_its_contents()
    {
        string path;
        using (var dir = new TempDirectory())
        {
            path = dir.Path;
            Directory.CreateDirectory(dir.File("nested"));
            File.WriteAllText(Path.Combine(dir.File("nested"), "file.txt"), "x");
            Assert.True(Directory.Exists(path));
        }

        Assert.False(Directory.Exists(path));
    }

    [Fact]
    public void Finding_a_program_searches_path_and_extra_directories()
    {
        Assert.NotNull(ExternalProgram.Find("sh"));
        Assert.Null(ExternalProgram.Find("opskit-no-such-program-" + Guid.NewGuid().ToString("N")));
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("tool"), "#!/bin/sh\n");
        Assert.Equal(dir.File("tool"), ExternalProgram.Find("tool", dir.Path));
    }

    [Fact]
    public void Repo_root_holds_the_solution()
    {
        Assert.True(File.Exists(Path.Combine(RepoPaths.Root, "Opskit.slnx")));
    }
}
