namespace Opskit.ReplCheck.Server;

/// <summary>
/// One row of <c>SHOW REPLICA STATUS</c> / <c>SHOW SLAVE STATUS</c> / <c>SHOW ALL SLAVES STATUS</c>: one replication
/// channel (MySQL) or connection (MariaDB multi-source). Column names changed in MySQL 8.0.22 (Source/Replica);
/// <see cref="Get"/> takes both spellings.
/// </summary>
public sealed class ReplicaChannel
{
    private readonly Dictionary<string, string?> _fields;

    /// <summary>Creates a channel from its columns (names compared case-insensitively).</summary>
    public ReplicaChannel(IReadOnlyDictionary<string, string?> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        _fields = new Dictionary<string, string?>(fields, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Every column as reported.</summary>
    public IReadOnlyDictionary<string, string?> Fields => _fields;

    /// <summary>The channel or connection name; empty for the default channel.</summary>
    public string Name => Get("Channel_Name", "Connection_name") ?? string.Empty;

    /// <summary>The receiver (I/O) thread state: Yes, No or Connecting.</summary>
    public string? IoRunning => Get("Replica_IO_Running", "Slave_IO_Running");

    /// <summary>The applier (SQL) thread state: Yes or No.</summary>
    public string? SqlRunning => Get("Replica_SQL_Running", "Slave_SQL_Running");

    /// <summary>Seconds behind the source; null when unknown (a thread stopped).</summary>
    public long? SecondsBehind =>
        long.TryParse(Get("Seconds_Behind_Source", "Seconds_Behind_Master"), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Host of the source.</summary>
    public string? SourceHost => Get("Source_Host", "Master_Host");

    /// <summary>Port of the source.</summary>
    public string? SourcePort => Get("Source_Port", "Master_Port");

    /// <summary>The first column present among <paramref name="names"/>.</summary>
    public string? Get(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (_fields.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return null;
    }
}
