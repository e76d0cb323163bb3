using System.Text;
using System.Threading.Channels;
using Opskit.PgTop.Actions;
using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;
using Opskit.PgTop.Settings;

namespace Opskit.PgTop.Terminal;

/// <summary>
/// The interactive screen: refresh on a timer, keys from a reader thread, one frame written per change. Between
/// events the process sleeps; nothing polls faster than the refresh interval except the size check (every 250 ms).
/// </summary>
internal sealed partial class PgTopApp : IAsyncDisposable
{
    private static readonly TimeSpan SizePoll = TimeSpan.FromMilliseconds(250);
    private readonly PgTopOptions _options;
    private readonly List<ServerPane> _panes = [];
    private readonly Channel<ConsoleKeyInfo> _keys = Channel.CreateUnbounded<ConsoleKeyInfo>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SlowQueryTracker _slow;
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private readonly bool _color;
    private double _refreshSeconds;
    private bool _showIdle;
    private SessionFilter _filter;
    private string _sortColumn;
    private bool _descending;
    private QueryDisplay _queryDisplay;
    private bool _databaseSizes;
    private bool _paused;
    private int _rewind;
    private int _focus;
    private Screen _screen = Screen.Activity;
    private string _message = string.Empty;
    private string? _prompt;
    private StringBuilder? _input;
    private Confirmation? _confirm;
    private List<string> _text = [];
    private string _textTitle = string.Empty;
    private IReadOnlyList<StatementStat>? _statements;
    private bool _quit;
    private int _width;
    private int _height;

    private PgTopApp(PgTopOptions options)
    {
        _options = options;
        _refreshSeconds = options.RefreshSeconds;
        _showIdle = options.ShowIdle;
        _filter = options.Filter;
        _sortColumn = options.SortColumn;
        _descending = options.SortDescending;
        _queryDisplay = options.QueryDisplay;
        _databaseSizes = options.DatabaseSizes;
        _color = !options.NoColor && Spectre.Console.AnsiConsole.Profile.Capabilities.ColorSystem != Spectre.Console.ColorSystem.NoColors;
        foreach (var target in options.Servers)
        {
            _panes.Add(new ServerPane(new Collector(target, options.StatementTimeoutMs, options.LockTimeoutMs), options.RewindDepth));
        }

        var webhook = options.WebhookUrl is null ? null : new WebhookSender(options.WebhookUrl, TimeSpan.FromSeconds(options.WebhookMinIntervalSeconds));
        _slow = new SlowQueryTracker(options.SlowThresholdSeconds, options.SlowLogPath, webhook);
    }

    /// <summary>A yes/no question with what will happen listed; the action runs on y.</summary>
    private sealed record Confirmation(string Question, IReadOnlyList<string> Details, Func<Task> Action);

    public static async Task<int> RunAsync(PgTopOptions options, CancellationToken cancellationToken)
    {
        var app = new PgTopApp(options);
        await using (app.ConfigureAwait(false))
        {
            return await app.LoopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> LoopAsync(CancellationToken cancellationToken)
    {
        Write("\u001b[?1049h\u001b[?25l"); // alternate screen, hidden cursor
        Console.TreatControlCAsInput = true;
        var reader = new Thread(ReadKeys) { IsBackground = true, Name = "pgtop-keys" };
        reader.Start();
        try
        {
            var nextRefresh = DateTime.UtcNow;
            (_width, _height) = (Console.WindowWidth, Console.WindowHeight);
            while (!_quit && !cancellationToken.IsCancellationRequested)
            {
                var now = DateTime.UtcNow;
                if (!_paused && now >= nextRefresh)
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                    nextRefresh = DateTime.UtcNow.AddSeconds(_refreshSeconds);
                    Render();
                }

                var wait = _paused ? SizePoll : TimeSpan.FromTicks(Math.Clamp((nextRefresh - DateTime.UtcNow).Ticks, 0, SizePoll.Ticks));
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(wait);
                var handled = false;
                try
                {
                    if (await _keys.Reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
                    {
                        while (_keys.Reader.TryRead(out var key))
                        {
                            await HandleKeyAsync(key, cancellationToken).ConfigureAwait(false);
                            handled = true;
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }

                var size = (Console.WindowWidth, Console.WindowHeight);
                if (size != (_width, _height))
                {
                    (_width, _height) = size;
                    handled = true;
                }

                if (handled && !_quit)
                {
                    Render();
                }
            }
        }
        finally
        {
            Write("\u001b[0m\u001b[?25h\u001b[?1049l");
        }

        return 0;
    }

    private void ReadKeys()
    {
        while (true)
        {
            ConsoleKeyInfo key;
            try
            {
                key = Console.ReadKey(intercept: true);
            }
            catch (InvalidOperationException)
            {
                return;
            }

            if (!_keys.Writer.TryWrite(key))
            {
                return;
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var collect = new CollectOptions(_showIdle, _databaseSizes);
        var tasks = new Task<Snapshot>[_panes.Count];
        for (var i = 0; i < _panes.Count; i++)
        {
            tasks[i] = _panes[i].Collector.CollectAsync(collect, cancellationToken);
        }

        for (var i = 0; i < _panes.Count; i++)
        {
            try
            {
                var snapshot = await tasks[i].ConfigureAwait(false);
                _panes[i].Add(snapshot);
                _panes[i].Error = null;
                var fresh = _slow.Observe(snapshot);
                if (fresh.Count > 0)
                {
                    _message = $"{fresh.Count} new slow quer{(fresh.Count == 1 ? "y" : "ies")} on {snapshot.Server.Name}";
                }
            }
            catch (CollectorException ex)
            {
                _panes[i].Error = $"reconnecting... {ex.Message}";
            }
        }

        if (_slow.LastError is { } error)
        {
            _message = error;
        }
    }

    private void Write(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        _stdout.Write(bytes);
        _stdout.Flush();
    }

    public async ValueTask DisposeAsync()
    {
        _keys.Writer.TryComplete();
        _slow.Dispose();
        foreach (var pane in _panes)
        {
            await pane.DisposeAsync().ConfigureAwait(false);
        }

        await _stdout.DisposeAsync().ConfigureAwait(false);
    }
}
