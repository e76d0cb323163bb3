namespace Opskit.ExecLog.Records;

/// <summary>A syslog facility and severity, parsed from <c>facility.level</c> as logger's <c>-p</c> takes it.</summary>
/// <param name="Facility">0 (kern) to 23 (local7).</param>
/// <param name="Severity">0 (emerg) to 7 (debug).</param>
internal readonly record struct SyslogPriority(int Facility, int Severity)
{
    private static readonly string[] Facilities =
    [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ];

    private static readonly string[] Severities = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

    /// <summary>auth.info, the seed's choice.</summary>
    public static SyslogPriority Default { get; } = new(4, 6);

    /// <summary>The PRI value: facility × 8 + severity.</summary>
    public int Value => (Facility * 8) + Severity;

    /// <summary>Parses <c>auth.info</c>, <c>local3.notice</c>, <c>daemon.warn</c>…; false on anything else.</summary>
    public static bool TryParse(string text, out SyslogPriority priority)
    {
        ArgumentNullException.ThrowIfNull(text);
        priority = Default;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        var facility = Array.IndexOf(Facilities, text[..dot].ToLowerInvariant());
        var level = text[(dot + 1)..].ToLowerInvariant() switch
        {
            "warn" => 4,
            "error" => 3,
            "panic" => 0,
            var name => Array.IndexOf(Severities, name),
        };
        if (facility < 0 || level < 0)
        {
            return false;
        }

        priority = new SyslogPriority(facility, level);
        return true;
    }
}
