using System.Text.Json;
using Opskit.PgTop.Model;

namespace Opskit.PgTop.Actions;

/// <summary>
/// Finds queries that became slow since the last refresh (a running statement identified by server, pid and start
/// time is reported once), appends each to a JSON-lines log and hands it to the webhook without waiting for it.
/// </summary>
internal sealed class SlowQueryTracker : IDisposable
{
    private readonly double _thresholdSeconds;
    private readonly string? _logPath;
    private readonly WebhookSender? _webhook;
    private readonly Dictionary<string, HashSet<(int Pid, DateTime Start)>> _reported = new(StringComparer.Ordinal);

    public SlowQueryTracker(double thresholdSeconds, string? logPath, WebhookSender? webhook)
    {
        _thresholdSeconds = thresholdSeconds;
        _logPath = logPath;
        _webhook = webhook;
    }

    /// <summary>Log write failures so far (the screen shows them; they never stop the monitor).</summary>
    public string? LastError { get; private set; }

    /// <summary>Returns the sessions newly slow in <paramref name="snapshot"/> after logging and queueing them.</summary>
    public IReadOnlyList<Session> Observe(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (!_reported.TryGetValue(snapshot.Server.Name, out var reported))
        {
            _reported[snapshot.Server.Name] = reported = [];
        }

        var stillSlow = new HashSet<(int, DateTime)>();
        List<Session>? fresh = null;
        foreach (var session in snapshot.Sessions)
        {
            if (!session.IsSlow(_thresholdSeconds) || session.QueryStart is not { } start)
            {
                continue;
            }

            stillSlow.Add((session.Pid, start));
            if (!reported.Contains((session.Pid, start)))
            {
                (fresh ??= []).Add(session);
            }
        }

        // Forget statements that ended, so the set stays as small as the slow list.
        _reported[snapshot.Server.Name] = stillSlow;
        if (fresh is null)
        {
            return [];
        }

        if (_logPath is not null)
        {
            Append(snapshot, fresh);
        }

        foreach (var session in fresh)
        {
            _webhook?.Enqueue(new SlowQueryEvent(snapshot.Server.Name, session.Pid, session.User, session.Database, session.QueryAgeSeconds ?? 0, session.Query));
        }

        return fresh;
    }

    private void Append(Snapshot snapshot, List<Session> sessions)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(_logPath!));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            using var stream = new FileStream(_logPath!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            foreach (var s in sessions)
            {
                using (var json = new Utf8JsonWriter(stream))
                {
                    json.WriteStartObject();
                    json.WriteString("time", snapshot.TakenAt);
                    json.WriteString("server", snapshot.Server.Name);
                    json.WriteNumber("pid", s.Pid);
                    json.WriteString("database", s.Database);
                    json.WriteString("user", s.User);
                    json.WriteString("application", s.Application);
                    json.WriteString("client", s.Client);
                    json.WriteNumber("query_age_s", Math.Round(s.QueryAgeSeconds ?? 0, 3));
                    json.WriteString("query_start", s.QueryStart ?? default);
                    json.WriteString("wait_event_type", s.WaitEventType);
                    json.WriteString("wait_event", s.WaitEvent);
                    json.WriteString("query", s.Query);
                    json.WriteEndObject();
                }

                stream.WriteByte((byte)'\n');
            }

            LastError = null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LastError = $"slow log {_logPath}: {ex.Message}";
        }
    }

    public void Dispose() => _webhook?.Dispose();
}

/// <summary>A newly slow query, as posted to the webhook.</summary>
internal sealed record SlowQueryEvent(string Server, int Pid, string? User, string? Database, double AgeSeconds, string? Query);
