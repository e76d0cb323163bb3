namespace Opskit.ReplCheck.Server;

/// <summary>Everything the rules look at, read once from one server.</summary>
public sealed record ServerSnapshot
{
    /// <summary>Flavour and version.</summary>
    public required ServerVersion Version { get; init; }

    /// <summary><c>SHOW GLOBAL VARIABLES</c>, names compared case-insensitively.</summary>
    public required IReadOnlyDictionary<string, string> Variables { get; init; }

    /// <summary>Replication channels; empty when the server is not a replica.</summary>
    public IReadOnlyList<ReplicaChannel> Channels { get; init; } = [];

    /// <summary>Storage engine of the replication meta tables that exist (<c>mysql.slave_master_info</c>, <c>mysql.gtid_slave_pos</c>, ...).</summary>
    public IReadOnlyDictionary<string, string> MetaTableEngines { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// <c>mysql.innodb_table_stats</c> and <c>mysql.innodb_index_stats</c>: null when a <c>SELECT</c> works, else the
    /// server's error.
    /// </summary>
    public IReadOnlyDictionary<string, string?> StatsTables { get; init; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Where a variable's value came from (MySQL 8.0+ <c>performance_schema.variables_info.VARIABLE_SOURCE</c>:
    /// COMPILED, GLOBAL, EXPLICIT, PERSISTED, ...); empty when unknown.
    /// </summary>
    public IReadOnlyDictionary<string, string> VariableSources { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the server replicates from at least one source.</summary>
    public bool IsReplica => Channels.Count > 0;

    /// <summary>The first variable present among <paramref name="names"/> (old and new spellings), or null.</summary>
    public string? Variable(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (Variables.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The name among <paramref name="names"/> this server knows (for fixes), or the first one.</summary>
    public string VariableName(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            if (Variables.ContainsKey(name))
            {
                return name;
            }
        }

        return names[0];
    }
}
