using Opskit.PgTop.Collection;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Terminal;

/// <summary>One watched server on screen: its collector, the snapshots kept for rewind, the last error.</summary>
internal sealed class ServerPane : IAsyncDisposable
{
    private readonly int _depth;
    private readonly List<Snapshot> _history = [];

    public ServerPane(Collector collector, int depth)
    {
        Collector = collector;
        _depth = depth;
    }

    public Collector Collector { get; }

    public string Name => Collector.Target.Name;

    /// <summary>Set while the server cannot be read: the reconnecting banner.</summary>
    public string? Error { get; set; }

    public int Selected { get; set; }

    public HashSet<int> Tagged { get; } = [];

    public int HistoryCount => _history.Count;

    public void Add(Snapshot snapshot)
    {
        if (_history.Count == _depth)
        {
            _history.RemoveAt(0);
        }

        _history.Add(snapshot);
    }

    /// <summary>The snapshot <paramref name="back"/> refreshes before the latest (0: the latest), or null.</summary>
    public Snapshot? At(int back)
    {
        var index = _history.Count - 1 - Math.Min(back, _history.Count - 1);
        return index >= 0 && index < _history.Count ? _history[index] : null;
    }

    public ValueTask DisposeAsync() => Collector.DisposeAsync();
}
