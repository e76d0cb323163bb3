namespace Opskit.ReplCheck.Server;

/// <summary>Which server family answers: the rules differ between MySQL and MariaDB.</summary>
public enum ServerFlavor
{
    /// <summary>Oracle MySQL, and Percona Server for MySQL (same replication code and variables).</summary>
    MySql,

    /// <summary>MariaDB Server.</summary>
    MariaDb,
}
