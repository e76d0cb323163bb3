using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Opskit.Testing;

namespace Opskit.VarnishLog.Tests.Support;

/// <summary>
/// A real varnishd on loopback (own -n working directory in a temp dir, free ports) in front of a tiny HTTP backend
/// the test runs, with a VCL that yields hits, misses, passes, pipes and synthetic responses.
/// </summary>
public sealed class VarnishFixture : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("opskit-vlogdump");
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _backend;
    private Task? _backendLoop;
    private ExternalProcess? _varnishd;

    public string WorkDirectory => _directory.File("n");

    public string Directory => _directory.Path;

    public int Port { get; private set; }

    public HttpClient Client { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask InitializeAsync()
    {
        var varnishd = ExternalProgram.Require("varnishd", "apt: varnish");
        ExternalProgram.Require("varnishlog", "apt: varnish");
        ExternalProgram.Require("varnishncsa", "apt: varnish");
        _backend = new TcpListener(IPAddress.Loopback, FreePort.Tcp());
        _backend.Start();
        var backendPort = ((IPEndPoint)_backend.LocalEndpoint).Port;
        _backendLoop = ServeBackendAsync(_backend, _stop.Token);
        var vcl = _directory.File("test.vcl");
        await File.WriteAllTextAsync(vcl, $$"""
            vcl 4.1;
            backend default { .host = "127.0.0.1"; .port = "{{backendPort}}"; }
            sub vcl_recv {
                if (req.url ~ "^/pass") { return (pass); }
                if (req.url ~ "^/pipe") { return (pipe); }
                if (req.url ~ "^/synth") { return (synth(418, "Synthetic teapot")); }
                return (hash);
            }
            sub vcl_backend_response { set beresp.ttl = 120s; }
            """);
        Port = FreePort.Tcp();
        var admin = FreePort.Tcp();
        _varnishd = ExternalProcess.Start(varnishd,
        [
            "-F", "-n", WorkDirectory, "-a", $"127.0.0.1:{Port}", "-T", $"127.0.0.1:{admin}", "-f", vcl,
            "-s", "malloc,32m", "-p", "thread_pool_min=5", "-p", "thread_pools=1",
        ]);
        await _varnishd.WaitForTcpPortAsync(Port, TimeSpan.FromSeconds(60));
    }

    /// <summary>GET <paramref name="path"/>; the status code (pipes and synths included).</summary>
    public async Task<int> GetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}{path}");
        request.Headers.UserAgent.ParseAdd("vlogdump-test/1.0");
        request.Headers.Referrer = new Uri("http://referer.example/");
        request.Headers.ConnectionClose = path.StartsWith("/pipe", StringComparison.Ordinal);
        using var response = await Client.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (_varnishd is not null)
        {
            await _varnishd.DisposeAsync();
        }

        await _stop.CancelAsync();
        _backend?.Stop();
        if (_backendLoop is not null)
        {
            try
            {
                await _backendLoop;
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        Client.Dispose();
        _stop.Dispose();
        _directory.Dispose();
    }

    private static async Task ServeBackendAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var socket = await listener.AcceptSocketAsync(stop);
            _ = Task.Run(() => AnswerAsync(socket, stop), stop);
        }
    }

    private static async Task AnswerAsync(Socket socket, CancellationToken stop)
    {
        using (socket)
        {
            try
            {
                // One request per connection: read the head, answer, close (so a pipe ends too).
                var buffer = new byte[16384];
                var used = 0;
                while (used < buffer.Length)
                {
                    var read = await socket.ReceiveAsync(buffer.AsMemory(used), stop);
                    if (read == 0)
                    {
                        return;
                    }

                    used += read;
                    if (buffer.AsSpan(0, used).IndexOf("\r\n\r\n"u8) >= 0)
                    {
                        break;
                    }
                }

                var head = Encoding.ASCII.GetString(buffer, 0, used);
                var path = head.Split(' ')[1];
                var body = Encoding.ASCII.GetBytes("backend says hello to " + path + "\n");
                var response = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nX-Backend: test\r\nConnection: close\r\n\r\n");
                await socket.SendAsync(response.Concat(body).ToArray(), stop);
                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or IndexOutOfRangeException)
            {
            }
        }
    }
}
