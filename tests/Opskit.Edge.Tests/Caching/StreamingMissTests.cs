using System.Net;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Caching;

/// <summary>Issue #18: a miss streams to its clients while it arrives, and is stored only when whole.</summary>
public sealed class StreamingMissTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private UpstreamServer _upstream = null!;
    private EdgeServer _edge = null!;

    public async ValueTask InitializeAsync()
    {
        _upstream = await UpstreamServer.StartAsync();
        _edge = await EdgeServer.StartAsync(_upstream, new Dictionary<string, string?> { ["Edge:Cache:MaxObjectKilobytes"] = "64" });
    }

    public async ValueTask DisposeAsync()
    {
        _upstream.Hold = false;
        await _edge.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task First_bytes_reach_clients_before_the_origin_finishes_and_a_second_client_shares_the_fetch()
    {
        const string url = "/s?part=1000&rest=3000";
        _upstream.Hold = true;
        using var cancel = new CancellationTokenSource(Patience);

        using var first = await SendAsync(url, cancel.Token);
        var firstStream = await first.Content.ReadAsStreamAsync(cancel.Token);
        var firstHead = await ReadExactlyAsync(firstStream, 1000, cancel.Token);

        // The origin is still waiting for the test's signal, so these bytes were streamed, not buffered.
        Assert.Equal(0, _upstream.Finished("/s"));
        Assert.Equal(new string('a', 1000), firstHead);
        Assert.Equal("MISS", first.XCache());

        using var second = await SendAsync(url, cancel.Token);
        var secondStream = await second.Content.ReadAsStreamAsync(cancel.Token);
        var secondHead = await ReadExactlyAsync(secondStream, 1000, cancel.Token);
        Assert.Equal(new string('a', 1000), secondHead);
        Assert.Equal("HIT", second.XCache());
        Assert.Equal(0, _upstream.Finished("/s"));

        _upstream.Hold = false;
        var firstRest = await new StreamReader(firstStream).ReadToEndAsync(cancel.Token);
        var secondRest = await new StreamReader(secondStream).ReadToEndAsync(cancel.Token);

        Assert.Equal(new string('b', 3000), firstRest);
        Assert.Equal(new string('b', 3000), secondRest);
        Assert.Equal(1, _upstream.Count("/s"));

        // Stored once whole: the next client is a hit with the whole body and the origin saw one request.
        await Eventually.AssertAsync(() => _edge.Handler.InflightFetches == 0, Patience, "the streamed object to be stored");
        var third = await _edge.GetAsync(url);
        Assert.Equal("HIT", third.XCache());
        Assert.Equal(new string('a', 1000) + new string('b', 3000), third.Body());
        Assert.Equal(1, _upstream.Count("/s"));
    }

    [Fact]
    public async Task A_body_failing_halfway_fails_the_client_response_and_stores_nothing()
    {
        const string url = "/broken?part=1000&abort=1";
        _upstream.Hold = true;
        using var cancel = new CancellationTokenSource(Patience);

        using var response = await SendAsync(url, cancel.Token);
        var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
        Assert.Equal(new string('a', 1000), await ReadExactlyAsync(stream, 1000, cancel.Token));
        _upstream.Hold = false;

        await Assert.ThrowsAnyAsync<IOException>(() => new StreamReader(stream).ReadToEndAsync(cancel.Token));
        await Eventually.AssertAsync(() => _edge.Handler.InflightFetches == 0, Patience, "the failed fetch to end");
        _upstream.Hold = true;
        using var again = await SendAsync(url, cancel.Token);
        Assert.Equal("MISS", again.XCache());
        Assert.Equal(2, _upstream.Count("/broken"));
    }

    [Theory]
    [InlineData("/big?stream=1048576")]
    [InlineData("/big-known?stream=1048576&cl=1")]
    public async Task An_object_over_the_limit_passes_through_whole_in_one_fetch_and_is_not_stored(string url)
    {
        var path = url[..url.IndexOf('?', StringComparison.Ordinal)];

        var first = await _edge.GetAsync(url);
        var bytes = await first.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(1048576, bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.True(bytes[i] == (byte)(i % 251), $"byte {i}");
        }

        Assert.Equal(1, _upstream.Count(path));
        await Eventually.AssertAsync(() => _edge.Handler.InflightFetches == 0, Patience, "the pass-through fetch to end");
        var second = await _edge.GetAsync(url);
        Assert.Equal("MISS", second.XCache());
        Assert.Equal(2, _upstream.Count(path));
    }

    private Task<HttpResponseMessage> SendAsync(string url, CancellationToken cancellationToken) =>
        _edge.Client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private static async Task<string> ReadExactlyAsync(Stream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken);
        return System.Text.Encoding.ASCII.GetString(buffer);
    }
}
