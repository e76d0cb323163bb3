using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.Support;

/// <summary>
/// A MariaDB primary and a replica replicating from it over loopback (GTID <c>slave_pos</c> unless told otherwise),
/// both removed on dispose. A database <c>drill</c> with table <c>t</c> exists on both.
/// </summary>
public sealed class ReplicationPair : IAsyncDisposable
{
    /// <summary>Replication user's password (test-only).</summary>
    public const string ReplicationPassword = "repl-secret";

    private ReplicationPair(MariaDbServer primary, MariaDbServer replica)
    {
        Primary = primary;
        Replica = replica;
    }

    /// <summary>The primary (binlog on, server_id 1).</summary>
    public MariaDbServer Primary { get; }

    /// <summary>The replica (server_id 2).</summary>
    public MariaDbServer Replica { get; }

    /// <summary>Starts both servers and replication; <paramref name="useGtid"/> is MASTER_USE_GTID (slave_pos or no).</summary>
    public static async Task<ReplicationPair> StartAsync(IEnumerable<string> replicaOptions, string useGtid = "slave_pos")
    {
        var primaryTask = MariaDbServer.StartAsync(1, ["--log-bin=primary-bin", "--binlog-format=ROW"]);
        var replicaTask = MariaDbServer.StartAsync(2, ["--relay-log=relay-bin", .. replicaOptions]);
        MariaDbServer? primary = null;
        MariaDbServer? replica = null;
        try
        {
            primary = await primaryTask.ConfigureAwait(false);
            replica = await replicaTask.ConfigureAwait(false);
            await primary.ExecuteAsync(
                "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY '" + ReplicationPassword + "'",
                "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'",
                "CREATE DATABASE drill",
                "CREATE TABLE drill.t (id INT PRIMARY KEY, payload VARCHAR(200) NOT NULL) ENGINE=InnoDB").ConfigureAwait(false);
            await replica.ExecuteAsync(
                $"CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary.Port}, MASTER_USER='repl', MASTER_PASSWORD='{ReplicationPassword}', MASTER_USE_GTID={useGtid}",
                "START SLAVE").ConfigureAwait(false);
            var pair = new ReplicationPair(primary, replica);
            await pair.WaitForReplicaAsync().ConfigureAwait(false);
            return pair;
        }
        catch
        {
            if (primary is not null)
            {
                await primary.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await DisposeQuietly(primaryTask).ConfigureAwait(false);
            }

            if (replica is not null)
            {
                await replica.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await DisposeQuietly(replicaTask).ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Waits until both threads run and the replica has applied everything the primary wrote so far.</summary>
    public async Task WaitForReplicaAsync()
    {
        var target = await Primary.ScalarAsync("SELECT @@gtid_binlog_pos").ConfigureAwait(false) ?? string.Empty;
        Dictionary<string, string?>? status = null;
        var caughtUp = await Eventually.TryAsync(async () =>
        {
            status = await Replica.RowAsync("SHOW SLAVE STATUS").ConfigureAwait(false);
            if (status is null || status["Slave_IO_Running"] != "Yes" || status["Slave_SQL_Running"] != "Yes")
            {
                return false;
            }

            var applied = await Replica.ScalarAsync("SELECT @@gtid_slave_pos").ConfigureAwait(false);
            var rows = await Primary.ScalarAsync("SELECT COUNT(*) FROM drill.t").ConfigureAwait(false) ?? "0";
            var replicaRows = await Replica.ScalarAsync("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='drill'").ConfigureAwait(false);
            return replicaRows == "1" && (target.Length == 0 || applied == target) && await Replica.ScalarAsync("SELECT COUNT(*) FROM drill.t").ConfigureAwait(false) == rows;
        }, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        if (!caughtUp)
        {
            throw new TimeoutException($"replica did not catch up with {target}: {string.Join(", ", status?.Select(kv => $"{kv.Key}={kv.Value}") ?? [])}\n{Replica.Log}");
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Replica.DisposeAsync().ConfigureAwait(false);
        await Primary.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task DisposeQuietly(Task<MariaDbServer> task)
    {
        try
        {
            await (await task.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException)
        {
            // The failure that matters is already being thrown by the caller.
        }
    }
}
