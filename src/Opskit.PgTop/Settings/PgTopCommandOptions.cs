using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using Opskit.PgTop.Collection;

namespace Opskit.PgTop.Settings;

/// <summary>The options of <c>opskit pgtop</c> and their resolution against the configuration file.</summary>
internal sealed class PgTopCommandOptions
{
    /// <summary>Where the configuration file is looked for when <c>--config</c> is not given.</summary>
    public static string DefaultConfigPath =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "opskit", "pgtop.json");

    // psql's connection options; -h is the host, so help is --help and -? only.
    public Option<string?> Host { get; } = new("--host", "-h") { Description = "Server host or socket directory (PGHOST; default: the local socket)." };

    public Option<int?> Port { get; } = new("--port", "-p") { Description = "Server port (PGPORT; default 5432)." };

    public Option<string?> User { get; } = new("--username", "-U") { Description = "Role to connect as (PGUSER; default: the login name). Password: PGPASSWORD or ~/.pgpass." };

    public Option<string?> Database { get; } = new("--dbname", "-d") { Description = "Database, or a connection string (postgresql://... or 'host=... dbname=...') (PGDATABASE)." };

    public Option<string[]> Servers { get; } = new("--server") { Description = "A server to watch, [NAME=]CONNINFO; repeat for several (shown one above the other).", AllowMultipleArgumentsPerToken = false };

    public Option<string?> Service { get; } = new("--service") { Description = "A service of the connection service file (PGSERVICE)." };

    public Option<FileInfo?> Config { get; } = new("--config") { Description = "JSON configuration file (default ~/.config/opskit/pgtop.json if it exists). The command line wins over it." };

    public Option<string?> Profile { get; } = new("--profile") { Description = "A named profile of the configuration file, laid over its top level." };

    public Option<double> Refresh { get; } = new("--refresh") { Description = "Seconds between refreshes, 0.5 to 60.", DefaultValueFactory = _ => 2.0 };

    public Option<bool> Once { get; } = new("--once") { Description = "Print one snapshot and exit (no terminal needed). Exit 0, 2 when a --fail-on condition holds, 1 on a connection error." };

    public Option<double> OnceInterval { get; } = new("--once-interval") { Description = "With --once, seconds between the two samples that rates (tps, rows/s) are computed from; 0 takes one sample and prints no rates.", DefaultValueFactory = _ => 1.0 };

    public Option<string> Format { get; } = new("--format") { Description = "Output of --once: table, json, ndjson or csv.", DefaultValueFactory = _ => "table" };

    public Option<string[]> FailOn { get; } = new("--fail-on") { Description = "With --once, exit 2 when this holds: slow, blocked, idle-in-transaction. Repeatable." };

    public Option<double> SlowThreshold { get; } = new("--slow-threshold") { Description = "A running statement older than this many seconds is slow: highlighted, logged, posted.", DefaultValueFactory = _ => 5.0 };

    public Option<double> IdleInTransactionThreshold { get; } = new("--idle-in-transaction-threshold") { Description = "Seconds idle in a transaction before --fail-on idle-in-transaction counts a session.", DefaultValueFactory = _ => 0.0 };

    public Option<string?> SlowLog { get; } = new("--slow-log") { Description = "Append each newly slow query once to this file (JSON lines)." };

    public Option<string?> Webhook { get; } = new("--webhook") { Description = "Post each newly slow query to this URL (Slack-compatible JSON), rate limited, never delaying the screen." };

    public Option<double> WebhookMinInterval { get; } = new("--webhook-min-interval") { Description = "Seconds between two webhook posts; slow queries in between are summarised in the next post.", DefaultValueFactory = _ => 10.0 };

    public Option<bool> ShowIdle { get; } = new("--show-idle") { Description = "List idle sessions too (key i)." };

    public Option<string?> FilterUser { get; } = new("--filter-user") { Description = "Only sessions of matching users: a substring or /regex/." };

    public Option<string?> FilterDatabase { get; } = new("--filter-database") { Description = "Only sessions in matching databases: a substring or /regex/." };

    public Option<string?> FilterClient { get; } = new("--filter-client") { Description = "Only sessions from matching client addresses: a substring or /regex/." };

    public Option<string?> FilterApplication { get; } = new("--filter-application") { Description = "Only sessions of matching application names: a substring or /regex/." };

    public Option<string?> FilterState { get; } = new("--filter-state") { Description = "Only sessions in matching states: a substring or /regex/." };

    public Option<string> Sort { get; } = new("--sort") { Description = "Sort column: " + string.Join(", ", Output.SessionView.SortColumns) + ".", DefaultValueFactory = _ => "query_age" };

    public Option<bool> Ascending { get; } = new("--ascending") { Description = "Sort ascending (default: descending)." };

    public Option<string> QueryDisplay { get; } = new("--query-display") { Description = "Query text: truncated, full or indented (key v).", DefaultValueFactory = _ => "truncated" };

    public Option<int> Rewind { get; } = new("--rewind") { Description = "Snapshots kept in memory to step back through while paused.", DefaultValueFactory = _ => 120 };

    public Option<bool> DatabaseSizes { get; } = new("--db-size") { Description = "Show database sizes (reads every database's files; key d)." };

    public Option<int> StatementTimeout { get; } = new("--statement-timeout") { Description = "statement_timeout of the monitor's own session, in ms.", DefaultValueFactory = _ => 5000 };

    public Option<int> LockTimeout { get; } = new("--lock-timeout") { Description = "lock_timeout of the monitor's own session, in ms.", DefaultValueFactory = _ => 1000 };

    public Option<bool> NoColor { get; } = new("--no-color") { Description = "No colours (also when NO_COLOR is set or stdout is not a terminal)." };

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        // -h is psql's host: this command's help answers to --help and -? only.
        command.Options.Add(new HelpOption("--help", "-?"));
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    private Option[] All =>
        [
            Host, Port, User, Database, Servers, Service, Config, Profile, Refresh, Once, OnceInterval, Format, FailOn, SlowThreshold,
            IdleInTransactionThreshold, SlowLog, Webhook, WebhookMinInterval, ShowIdle, FilterUser, FilterDatabase,
            FilterClient, FilterApplication, FilterState, Sort, Ascending, QueryDisplay, Rewind, DatabaseSizes,
            StatementTimeout, LockTimeout, NoColor,
        ];

    /// <summary>Resolves every option; throws <see cref="FormatException"/> with a one-line reason.</summary>
    public PgTopOptions Resolve(ParseResult parse, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(environment);
        var configFile = parse.GetValue(Config);
        var profile = parse.GetValue(Profile);
        ConfigFile config;
        if (configFile is not null)
        {
            config = configFile.Exists ? ConfigFile.Load(configFile.FullName, profile) : throw new FormatException($"--config {configFile.FullName}: no such file");
        }
        else if (File.Exists(DefaultConfigPath))
        {
            config = ConfigFile.Load(DefaultConfigPath, profile);
        }
        else
        {
            config = profile is null ? ConfigFile.Empty : throw new FormatException($"--profile {profile}: no configuration file ({DefaultConfigPath})");
        }

        var known = All.Select(OptionResolver.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in config.Keys)
        {
            if (!known.Contains(key) || key is "config" or "profile")
            {
                throw new FormatException($"{config.Path}: unknown key \"{key}\" (keys are the long option names, e.g. \"refresh\", \"slow-threshold\", \"server\")");
            }
        }

        var r = new OptionResolver(parse, config);
        var refresh = r.Get(Refresh);
        if (refresh is < 0.5 or > 60 || double.IsNaN(refresh))
        {
            throw new FormatException($"--refresh must be between 0.5 and 60 seconds, not {refresh}");
        }

        var sort = r.Get(Sort);
        if (Array.IndexOf(Output.SessionView.SortColumns, sort) < 0)
        {
            throw new FormatException($"--sort {sort}: not a column ({string.Join(", ", Output.SessionView.SortColumns)})");
        }

        var webhook = r.Get(Webhook);
        Uri? webhookUri = null;
        if (webhook is not null && (!Uri.TryCreate(webhook, UriKind.Absolute, out webhookUri) || webhookUri.Scheme is not ("http" or "https")))
        {
            throw new FormatException($"--webhook {webhook}: not an http(s) URL");
        }

        var rewind = r.Get(Rewind);
        if (rewind is < 1 or > 100_000)
        {
            throw new FormatException("--rewind must be between 1 and 100000 snapshots");
        }

        var onceInterval = r.Get(OnceInterval);
        if (onceInterval is < 0 or > 60 || double.IsNaN(onceInterval))
        {
            throw new FormatException($"--once-interval must be between 0 and 60 seconds, not {onceInterval}");
        }

        var slowLog = r.Get(SlowLog);
        return new PgTopOptions
        {
            Servers = ResolveServers(r, environment),
            RefreshSeconds = refresh,
            Once = r.Get(Once),
            OnceIntervalSeconds = onceInterval,
            Format = r.Get(Format).ToLowerInvariant() switch
            {
                "table" => OutputFormat.Table,
                "json" => OutputFormat.Json,
                "ndjson" => OutputFormat.Ndjson,
                "csv" => OutputFormat.Csv,
                var other => throw new FormatException($"--format {other}: use table, json, ndjson or csv"),
            },
            FailOn = ParseFailOn(r.Get(FailOn)),
            SlowThresholdSeconds = NonNegative(r.Get(SlowThreshold), "--slow-threshold"),
            IdleInTransactionThresholdSeconds = NonNegative(r.Get(IdleInTransactionThreshold), "--idle-in-transaction-threshold"),
            SlowLogPath = slowLog is null ? null : OptionResolver.ExpandHome(slowLog),
            WebhookUrl = webhookUri,
            WebhookMinIntervalSeconds = NonNegative(r.Get(WebhookMinInterval), "--webhook-min-interval"),
            ShowIdle = r.Get(ShowIdle),
            Filter = new SessionFilter(
                Filter(r.Get(FilterUser)), Filter(r.Get(FilterDatabase)), Filter(r.Get(FilterClient)),
                Filter(r.Get(FilterApplication)), Filter(r.Get(FilterState))),
            SortColumn = sort,
            SortDescending = !r.Get(Ascending),
            QueryDisplay = r.Get(QueryDisplay).ToLowerInvariant() switch
            {
                "truncated" => Settings.QueryDisplay.Truncated,
                "full" => Settings.QueryDisplay.Full,
                "indented" => Settings.QueryDisplay.Indented,
                var other => throw new FormatException($"--query-display {other}: use truncated, full or indented"),
            },
            RewindDepth = rewind,
            DatabaseSizes = r.Get(DatabaseSizes),
            StatementTimeoutMs = Positive(r.Get(StatementTimeout), "--statement-timeout"),
            LockTimeoutMs = Positive(r.Get(LockTimeout), "--lock-timeout"),
            NoColor = r.Get(NoColor) || !string.IsNullOrEmpty(environment("NO_COLOR")),
        };
    }

    private List<ServerTarget> ResolveServers(OptionResolver r, Func<string, string?> environment)
    {
        var targets = new List<ServerTarget>();
        var service = r.Get(Service);
        if (r.TryGetFromConfig(Servers, out var configured) && configured.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
        {
            // The file may give each server as a string or as an object of libpq keywords plus "name".
            foreach (var entry in configured.ValueKind == JsonValueKind.Array ? [.. configured.EnumerateArray()] : new[] { configured })
            {
                targets.Add(entry.ValueKind switch
                {
                    JsonValueKind.String => FromString(entry.GetString()!, environment, service),
                    JsonValueKind.Object => ServerObject.Resolve(entry, r.ConfigPath, environment, service),
                    _ => throw new FormatException($"{r.ConfigPath}: \"server\" entries are strings or objects, not {entry.GetRawText()}"),
                });
            }
        }
        else
        {
            foreach (var value in r.Get(Servers) ?? [])
            {
                targets.Add(FromString(value, environment, service));
            }
        }

        if (targets.Count > 0)
        {
            return targets;
        }

        var database = r.Get(Database);
        var single = database is not null && ConnectionInfo.LooksLikeConnectionString(database)
            ? ConnectionInfo.Parse(database)
            : new Npgsql.NpgsqlConnectionStringBuilder { Database = database };
        if (r.Get(Host) is { } host)
        {
            single.Host = host;
        }

        if (r.Get(Port) is { } port)
        {
            single.Port = port is > 0 and < 65536 ? port : throw new FormatException($"--port {port}: not a port");
        }

        if (r.Get(User) is { } user)
        {
            single.Username = user;
        }

        ConnectionInfo.ApplyDefaults(single, environment, service);
        targets.Add(new ServerTarget(ConnectionInfo.DisplayName(single), single.ConnectionString));
        return targets;
    }

    private static ServerTarget FromString(string value, Func<string, string?> environment, string? service)
    {
        var (name, conninfo) = ConnectionInfo.SplitNamed(value);
        var builder = ConnectionInfo.Parse(conninfo);
        ConnectionInfo.ApplyDefaults(builder, environment, service);
        return new ServerTarget(name ?? ConnectionInfo.DisplayName(builder), builder.ConnectionString);
    }

    private static TextFilter? Filter(string? value) => value is null ? null : TextFilter.Parse(value);

    private static FailCondition ParseFailOn(string[]? values)
    {
        var result = FailCondition.None;
        foreach (var value in values ?? [])
        {
            foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                result |= part.ToLowerInvariant() switch
                {
                    "slow" => FailCondition.Slow,
                    "blocked" => FailCondition.Blocked,
                    "idle-in-transaction" => FailCondition.IdleInTransaction,
                    _ => throw new FormatException($"--fail-on {part}: use slow, blocked or idle-in-transaction"),
                };
            }
        }

        return result;
    }

    private static double NonNegative(double value, string name) =>
        value >= 0 && double.IsFinite(value) ? value : throw new FormatException($"{name} must be a non-negative number of seconds");

    private static int Positive(int value, string name) =>
        value > 0 ? value : throw new FormatException($"{name} must be a positive number of milliseconds");
}
