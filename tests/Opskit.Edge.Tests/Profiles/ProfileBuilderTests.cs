using System.IO.Compression;
using System.Text;
using Microsoft.Data.Sqlite;
using Opskit.Edge.Profiles;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Profiles;

public sealed class ProfileBuilderTests : IDisposable
{
    private readonly TempDirectory _dir = new("opskit-edge-build");

    public void Dispose() => _dir.Dispose();

    private static string Csv(params (string User, string Article)[] reads) =>
        "user_id,article_id,timestamp\n" + string.Concat(reads.Select((r, i) => $"{r.User},{r.Article},{1_700_000_000 + i}\n"));

    private async Task<ProfileBuildReport> BuildAsync(string signals, int minReads, string output, double maxMalformed = 0.01, long partitionBytes = 64L << 20) =>
        await new ProfileBuilder(new ProfileBuildOptions(signals, minReads, output, maxMalformed, partitionBytes), TextWriter.Null)
            .RunAsync(TestContext.Current.CancellationToken);

    private static Dictionary<string, string> ReadProfiles(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT profile_id, data FROM user_profiles";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, string>();
        while (reader.Read())
        {
            rows[reader.GetString(0)] = reader.GetString(1);
        }

        return rows;
    }

    [Fact]
    public async Task Keeps_users_with_at_least_N_distinct_articles()
    {
        var signals = _dir.File("signals.csv");
        await File.WriteAllTextAsync(signals, Csv(
            ("alice", "a1"), ("alice", "a2"), ("alice", "a3"),
            ("bob", "b1"), ("bob", "b1"), ("bob", "b1"), ("bob", "b2"),
            ("carol", "c1")), TestContext.Current.CancellationToken);
        var output = _dir.File("profiles.db");

        var report = await BuildAsync(signals, 3, output);

        Assert.True(report.Replaced, report.Error);
        var rows = ReadProfiles(output);
        Assert.Equal(["alice"], rows.Keys);
        Assert.Contains("\"articles\":3", rows["alice"], StringComparison.Ordinal);
        Assert.Equal(3, report.Users);
        Assert.Equal(1, report.Profiles);
        Assert.Equal(8, report.Signals);
        Assert.Equal(0, report.Malformed);
    }

    [Fact]
    public async Task Threshold_is_inclusive_and_repeated_reads_do_not_count_twice()
    {
        var signals = _dir.File("signals.csv");
        await File.WriteAllTextAsync(signals, Csv(("u1", "x"), ("u1", "y"), ("u2", "x"), ("u2", "x")), TestContext.Current.CancellationToken);
        var output = _dir.File("p.db");

        await BuildAsync(signals, 2, output);

        Assert.Equal(["u1"], ReadProfiles(output).Keys);
    }

    [Fact]
    public async Task Gzipped_json_lines_are_read_and_malformed_lines_counted()
    {
        var signals = _dir.File("signals.jsonl.gz");
        var text = new StringBuilder()
            .AppendLine("""{"user_id":"j1","article_id":"a","timestamp":1700000000}""")
            .AppendLine("""{"user_id":"j1","article_id":"b","timestamp":"2026-11-26T10:00:00Z"}""")
            .AppendLine("""{"userId":"j2","articleId":7,"ts":1700000001}""")
            .AppendLine("""{"user_id":"j3","article_id":"a"}""")
            .AppendLine("""{"user_id":"j3","article_id":""")
            .AppendLine("not json, nor csv")
            .AppendLine()
            .ToString();
        await using (var file = File.Create(signals))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text), TestContext.Current.CancellationToken);
        }

        var output = _dir.File("p.db");
        var report = await BuildAsync(signals, 1, output, maxMalformed: 0.9);

        Assert.True(report.Replaced, report.Error);
        Assert.Equal(3, report.Malformed);
        Assert.Equal(3, report.Signals);
        Assert.Equal(["j1", "j2"], ReadProfiles(output).Keys.Order());
    }

    [Fact]
    public async Task Too_many_malformed_lines_fail_and_leave_the_old_file()
    {
        var output = _dir.File("p.db");
        var good = _dir.File("good.csv");
        await File.WriteAllTextAsync(good, Csv(("keep", "a")), TestContext.Current.CancellationToken);
        await BuildAsync(good, 1, output);

        var bad = _dir.File("bad.csv");
        await File.WriteAllTextAsync(bad, Csv(("new", "a")) + "garbage\nmore garbage\n", TestContext.Current.CancellationToken);
        var report = await BuildAsync(bad, 1, output, maxMalformed: 0.5);

        Assert.False(report.Replaced);
        Assert.Contains("malformed", report.Error, StringComparison.Ordinal);
        Assert.Equal(["keep"], ReadProfiles(output).Keys);
        Assert.Equal(["bad.csv", "good.csv", "p.db"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order());
    }

    [Theory]
    [InlineData("alice,a1")]
    [InlineData(",a1,1700000000")]
    [InlineData("alice,,1700000000")]
    [InlineData("alice,a1,yesterday")]
    [InlineData("alice,a1,1700000000,extra")]
    [InlineData("{\"user_id\":\"a\",\"article_id\":\"b\",\"timestamp\":1}}")]
    [InlineData("{\"user_id\":[1],\"article_id\":\"b\",\"timestamp\":1}")]
    public void Malformed_lines_are_recognised(string line)
    {
        Assert.Equal(SignalLineKind.Malformed, SignalLineParser.TryParse(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public async Task Many_partitions_give_the_same_profiles_as_one()
    {
        var signals = _dir.File("signals.csv");
        var random = new Random(11);
        var reads = Enumerable.Range(0, 20_000).Select(_ => ($"user-{random.Next(3000)}", $"article-{random.Next(40)}")).ToArray();
        await File.WriteAllTextAsync(signals, Csv(reads), TestContext.Current.CancellationToken);
        var expected = reads.GroupBy(r => r.Item1).Where(g => g.Select(r => r.Item2).Distinct().Count() >= 7).Select(g => g.Key).Order().ToArray();

        var one = _dir.File("one.db");
        var many = _dir.File("many.db");
        await BuildAsync(signals, 7, one);
        await BuildAsync(signals, 7, many, partitionBytes: 16 * 1024);

        Assert.Equal(expected, ReadProfiles(one).Keys.Order());
        Assert.Equal(expected, ReadProfiles(many).Keys.Order());
        Assert.NotEmpty(expected);
    }

    [Fact]
    public async Task Output_uses_the_issue_schema_and_a_rollback_journal()
    {
        var signals = _dir.File("signals.csv");
        await File.WriteAllTextAsync(signals, Csv(("a", "1")), TestContext.Current.CancellationToken);
        var output = _dir.File("p.db");
        await BuildAsync(signals, 1, output);

        using var connection = new SqliteConnection($"Data Source={output};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sql FROM sqlite_schema WHERE name = 'user_profiles'";
        Assert.Equal("CREATE TABLE user_profiles(profile_id TEXT PRIMARY KEY NOT NULL, data TEXT) WITHOUT ROWID", command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("delete", command.ExecuteScalar());
        Assert.Equal(ProfileStoreState.Loaded, ProfileStore.CheckHeader(output));
    }

    [Fact]
    public async Task A_reader_never_sees_a_partial_file_while_it_is_replaced()
    {
        var output = _dir.File("p.db");
        var small = _dir.File("small.csv");
        var large = _dir.File("large.csv");
        await File.WriteAllTextAsync(small, Csv(("only", "a")), TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(large, Csv(Enumerable.Range(0, 30_000).Select(i => ($"user-{i}", "a")).ToArray()), TestContext.Current.CancellationToken);
        await BuildAsync(small, 1, output);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var reads = 0;
        var counts = new System.Collections.Concurrent.ConcurrentBag<long>();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var connection = new SqliteConnection($"Data Source={output};Mode=ReadOnly;Pooling=False");
                    connection.Open();
                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT count(*) FROM user_profiles";
                    counts.Add((long)command.ExecuteScalar()!);
                    Interlocked.Increment(ref reads);
                }
                catch (SqliteException ex)
                {
                    failures.Add(ex.Message);
                }
            }
        }, TestContext.Current.CancellationToken);

        for (var i = 0; i < 4; i++)
        {
            await BuildAsync(i % 2 == 0 ? large : small, 1, output);
            // On a loaded machine the reader may not have run at all yet: let it read each new file at least once,
            // so the 30,000 rows below are something it saw, not a race it happened to win.
            var before = Volatile.Read(ref reads);
            await Eventually.AssertAsync(() => Volatile.Read(ref reads) > before + 1, TimeSpan.FromSeconds(60), "the reader to read the new file");
        }

        await stop.CancelAsync();
        await reader;
        Assert.Empty(failures);
        Assert.All(counts, c => Assert.True(c is 1 or 30_000, $"saw {c} rows"));
        Assert.Contains(30_000L, counts);
    }
}
