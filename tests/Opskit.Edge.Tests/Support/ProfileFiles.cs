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

    public static void MakeBroken(string path, string kind)
    {
        switch (kind)
        {
            case "missing":
                break;
            case "zero-bytes":
                File.WriteAllBytes(path, []);
                break;
            case "random-bytes":
                var random = new byte[8192];
                new Random(7).NextBytes(random);
                File.WriteAllBytes(path, random);
                break;
            case "no-table":
                using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "CREATE TABLE other(x TEXT)";
                    command.ExecuteNonQuery();
                }

                break;
            case "truncated":
                var full = path + ".full";
                Create(full, Enumerable.Range(0, 5000).Select(i => $"user-{i}"));
                var bytes = File.ReadAllBytes(full);
                File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
                break;
            case "sqlite-header-then-garbage":
                var header = new byte[4096 + 100];
                "SQLite format 3\0"u8.CopyTo(header);
                header[16] = 0x10; // page size 4096
                header[31] = 9;    // 9 pages claimed
                File.WriteAllBytes(path, header);
                break;
        }
    }
}
