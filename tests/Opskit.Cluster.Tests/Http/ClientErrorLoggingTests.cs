using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Http;

/// <summary>
/// Issue #21 point 6: what clients cause (a bad body, a slow upload, a client that leaves) is logged once at debug,
/// without a stack trace, never as an unhandled error.
/// </summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class ClientErrorLoggingTests(ClusterServiceFixture service)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private void AssertNothingLoudSince(int mark) =>
        Assert.DoesNotContain(service.Logs.Lines.Skip(mark), line => line.Exception is not null || line.Level >= LogLevel.Warning);

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, service.BaseAddress.Port), Ct);
        return socket;
    }

    [Fact]
    public async Task Bad_body_is_one_debug_line()
    {
        var mark = service.Logs.Lines.Count;
        using var response = await service.Client.PostAsync("/cluster", Json.Raw("{\"sentences\": [\"a\", "), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var lines = await Eventually.TryAsync(
            () => Task.FromResult(service.Logs.Lines.Skip(mark).Count(l => l.Message.Contains("/cluster: client error 400", StringComparison.Ordinal)) == 1),
            TimeSpan.FromSeconds(10));
        Assert.True(lines, string.Join('\n', service.Logs.Lines.Skip(mark)));
        Assert.Equal(LogLevel.Debug, service.Logs.Lines.Skip(mark).First(l => l.Message.Contains("client error 400", StringComparison.Ordinal)).Level);
        AssertNothingLoudSince(mark);
    }

    [Fact]
    public async Task Slow_upload_gets_408_and_one_debug_line()
    {
        var mark = service.Logs.Lines.Count;
        using var socket = await ConnectAsync();
        // Promise 10 kB, send a few bytes, then stall: Kestrel's minimum body data rate (240 B/s after a 5 s grace) cuts it.
        var head = $"POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{{\"inputs\": \"";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, Ct);
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                break;
            }

            answer.Append(Encoding.UTF8.GetString(buffer, 0, read));
            if (answer.ToString().Contains("}", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.StartsWith("HTTP/1.1 408", answer.ToString(), StringComparison.Ordinal);
        Assert.True(
            await Eventually.TryAsync(() => Task.FromResult(service.Logs.Lines.Skip(mark).Any(l => l.Message.Contains("/embed: client error 408", StringComparison.Ordinal))), TimeSpan.FromSeconds(10)),
            string.Join('\n', service.Logs.Lines.Skip(mark)));
        AssertNothingLoudSince(mark);
    }

    [Fact]
    public async Task Client_that_leaves_before_the_answer_is_one_debug_line()
    {
        var mark = service.Logs.Lines.Count;
        // Enough work that the answer is not ready when the client closes the connection.
        var sentences = Enumerable.Range(0, 1500).Select(i => $"sentence number {i} about the weather in a town far away from here").ToArray();
        var body = Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(new { inputs = sentences }));
        using (var socket = await ConnectAsync())
        {
            var head = $"POST /embed HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, Ct);
            await socket.SendAsync(body, SocketFlags.None, Ct);
            // Wait until the request is queued, then leave.
            Assert.True(await Eventually.TryAsync(async () => await QueuedNowAsync() > 0, TimeSpan.FromSeconds(30)), "the request was never queued");
            socket.Close();
        }

        Assert.True(
            await Eventually.TryAsync(() => Task.FromResult(service.Logs.Lines.Skip(mark).Count(l => l.Message.Contains("/embed: the client went away", StringComparison.Ordinal)) == 1), TimeSpan.FromSeconds(30)),
            string.Join('\n', service.Logs.Lines.Skip(mark)));
        Assert.Equal(LogLevel.Debug, service.Logs.Lines.Skip(mark).First(l => l.Message.Contains("the client went away", StringComparison.Ordinal)).Level);
        AssertNothingLoudSince(mark);
        // The dropped sentences leave the queue (and the next test finds it empty).
        Assert.True(await Eventually.TryAsync(async () => await QueuedNowAsync() == 0, TimeSpan.FromSeconds(60)), "the queue never drained");
    }

    private async Task<int> QueuedNowAsync()
    {
        using var response = await service.Client.GetAsync("/metrics", Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("opskit_cluster_queue_depth ", StringComparison.Ordinal));
        return line is null ? 0 : (int)double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
