using System.Globalization;
using System.Security.Cryptography;
using Opskit.ReplCheck.Tests.Support;

namespace Opskit.ReplCheck.Tests.MariaDb;

/// <summary>The seed's drill: write, crash the replica (SIGKILL), overwrite its current relay log with random bytes, write more, restart.</summary>
internal static class Drill
{
    private const int RowsBeforeCrash = 300;
    private const int RowsAfterCrash = 200;

    /// <summary>Runs the drill and returns how many rows the primary holds at the end.</summary>
    public static async Task<int> CrashWithCorruptRelayLogAsync(ReplicationPair pair)
    {
        var start = int.Parse(await pair.Primary.ScalarAsync("SELECT COALESCE(MAX(id), 0) FROM drill.t") ?? "0", CultureInfo.InvariantCulture);
        await InsertAsync(pair.Primary, start + 1, RowsBeforeCrash);
        await pair.WaitForReplicaAsync();

        var status = await pair.Replica.RowAsync("SHOW SLAVE STATUS") ?? throw new InvalidOperationException("the replica has no replication status");
        var relayLog = Path.Combine(pair.Replica.DataDirectory, Path.GetFileName(status["Relay_Log_File"]!));
        await pair.Replica.KillAsync();

        var length = (int)new FileInfo(relayLog).Length;
        Assert.True(length > 4, $"relay log {relayLog} is {length} bytes");
        await File.WriteAllBytesAsync(relayLog, RandomNumberGenerator.GetBytes(length));

        await InsertAsync(pair.Primary, start + RowsBeforeCrash + 1, RowsAfterCrash);
        await pair.Replica.RestartAsync();
        return start + RowsBeforeCrash + RowsAfterCrash;
    }

    private static async Task InsertAsync(MariaDbServer primary, int firstId, int count)
    {
        // Several transactions, so the relay log holds many events.
        const int PerTransaction = 50;
        for (var batch = 0; batch < count; batch += PerTransaction)
        {
            var values = Enumerable.Range(firstId + batch, Math.Min(PerTransaction, count - batch))
                .Select(id => $"({id}, '{Convert.ToHexString(RandomNumberGenerator.GetBytes(40))}')");
            await primary.ExecuteAsync($"INSERT INTO drill.t (id, payload) VALUES {string.Join(", ", values)}");
        }
    }
}
