using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Opskit.Edge.Tests.Support;

namespace Opskit.Edge.Tests.Proxy;

/// <summary>Issue #18: the upstream connect timeout, against an origin on loopback that never completes a connect.</summary>
public sealed class ConnectTimeoutTests
{
    [Fact]
    public async Task An_origin_that_never_accepts_a_connection_fails_at_the_connect_timeout_not_the_first_byte_timeout()
    {
        // A listening socket whose accept queue is full (backlog 0, one connection never accepted): Linux then drops
        // every new SYN, so a connect neither succeeds nor is refused. Filled until a connect really hangs.
        using var blackhole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackhole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackhole.Listen(0);
        var endpoint = (IPEndPoint)blackhole.LocalEndPoint!;
        var fillers = new List<Socket>();
        var full = false;
        try
        {
            for (var i = 0; i < 16 && !full; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try
                {
                    await filler.ConnectAsync(endpoint, wait.Token);
                }
                catch (OperationCanceledException)
                {
                    full = true;
                }
            }

            Assert.True(full, "the accept queue never filled");
            await using var upstream = await UpstreamServer.StartAsync();
            await using var edge = await EdgeServer.StartAsync(upstream, new Dictionary<string, string?>
            {
                ["ReverseProxy:Clusters:c:Destinations:d1:Address"] = $"http://127.0.0.1:{endpoint.Port}/",
                ["Edge:Upstream:ConnectTimeoutSeconds"] = "1",
                ["Edge:Upstream:FirstByteTimeoutSeconds"] = "600",
            });

            var clock = Stopwatch.StartNew();
            var response = await edge.GetAsync("/never");
            var elapsed = clock.Elapsed;

            Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(elapsed >= TimeSpan.FromSeconds(0.9), $"answered after {elapsed}, before the connect timeout");
            Assert.True(elapsed < TimeSpan.FromSeconds(20), $"answered after {elapsed}");
        }
        finally
        {
            foreach (var filler in fillers)
            {
                filler.Dispose();
            }
        }
    }
}
