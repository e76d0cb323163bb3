using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Channels;

namespace Opskit.PgTop.Actions;

/// <summary>
/// Posts slow queries to a webhook as Slack-compatible JSON (<c>{"text": ...}</c>) from a background task: the
/// refresh only writes to a bounded queue (oldest dropped and counted when full). At most one post per minimum
/// interval; what queued up meanwhile goes in the next post. A slow, failing or hanging endpoint delays nothing
/// but the next post (each post has a timeout).
/// </summary>
internal sealed class WebhookSender : IDisposable
{
    private const int MaxQueriesPerPost = 20;
    private readonly Channel<SlowQueryEvent> _queue;
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly TimeSpan _minInterval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _dropped;
    private long _sent;
    private long _failed;

    public WebhookSender(Uri url, TimeSpan minInterval, TimeSpan? timeout = null)
    {
        _url = url;
        _minInterval = minInterval;
        _http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(5) };
        _queue = Channel.CreateBounded<SlowQueryEvent>(
            new BoundedChannelOptions(1000) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            _ => Interlocked.Increment(ref _dropped));
        _loop = Task.Run(LoopAsync);
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Sent => Interlocked.Read(ref _sent);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Never blocks: the queue is bounded and drops its oldest entry when full.</summary>
    public void Enqueue(SlowQueryEvent slow) => _queue.Writer.TryWrite(slow);

    private async Task LoopAsync()
    {
        var batch = new List<SlowQueryEvent>();
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxQueriesPerPost && _queue.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                }

                try
                {
                    using var response = await _http.PostAsJsonAsync(_url, new SlackMessage(Text(batch)), _stop.Token).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref _sent);
                    }
                    else
                    {
                        Interlocked.Increment(ref _failed);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !_stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failed);
                }

                await Task.Delay(_minInterval, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private static string Text(List<SlowQueryEvent> batch)
    {
        var text = new StringBuilder();
        foreach (var slow in batch)
        {
            var query = slow.Query is { Length: > 500 } q ? q[..500] + "…" : slow.Query;
            text.Append(CultureInfo.InvariantCulture, $"slow query on {slow.Server}: pid {slow.Pid} {slow.User}@{slow.Database} running {slow.AgeSeconds:0.0}s: {query}\n");
        }

        return text.ToString().TrimEnd('\n');
    }

    public void Dispose()
    {
        _stop.Cancel();
        _queue.Writer.TryComplete();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }

    private sealed record SlackMessage(string Text)
    {
        [System.Text.Json.Serialization.JsonPropertyName("text")]
        public string Text { get; init; } = Text;
    }
}
