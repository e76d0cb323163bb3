using Microsoft.Data.Sqlite;

namespace Opskit.Edge.Tests.Support;

/// <summary>Writes small profiles databases for tests, the way an operator would: elsewhere, then renamed in.</summary>
internal static class ProfileFiles
{
    public static void Create(string path, IEnumerable<string> ids, string table = "user_profiles", string column = "profile_id", string? flagColumn = null, Func<string, bool>? flag = null)
    {
        var temp = path + ".building";
        File.Delete(temp);
        using (var connection = new SqliteConnection($"Data Source={temp};Pooling=False"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = flagColumn is null
                ? $"PRAGMA journal_mode=DELETE; CREATE TABLE {table}({column} TEXT PRIMARY KEY NOT NULL, data TEXT) WITHOUT ROWID;"
                : $"PRAGMA journal_mode=DELETE; CREATE TABLE {table}({column} TEXT PRIMARY KEY NOT NULL, data TEXT, {flagColumn} INTEGER) WITHOUT ROWID;";
            create.ExecuteNonQuery();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = flagColumn is null
                ? $"INSERT INTO {table}({column}, data) VALUES ($id, '{{}}')"
                : $"INSERT INTO {table}({column}, data, {flagColumn}) VALUES ($id, '{{}}', $flag)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var flagParameter = insert.Parameters.Add("$flag", SqliteType.Integer);
            foreach (var value in ids)
            {
                id.Value = value;
                flagParameter.Value = flag is null || flag(value) ? 1 : 0;
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        File.Move(temp, path, overwrite: true);
    }
}
