using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Opskit.Edge.Profiles;
using Opskit.Edge.Tests.Support;
using Opskit.Testing;

namespace Opskit.Edge.Tests.Profiles;

public sealed class ProfileStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new("opskit-edge-profiles");
    private readonly ListLogger _log = new();
    private readonly EdgeMetrics _metrics = new();

    public void Dispose()
    {
        _metrics.Dispose();
        _dir.Dispose();
    }

    private ProfileStore Open(string path, ProfileTableSchema? schema = null) =>
        new(path, schema ?? new ProfileTableSchema(), _log, _metrics, TimeProvider.System, TimeSpan.FromMilliseconds(200));

    private static ProfileLookupResult Lookup(ProfileStore store, string id) => store.Lookup(Encoding.UTF8.GetBytes(id));

    [Fact]
    public void Finds_existing_ids_and_not_others()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["alice", "bob", "42"]);
        using var store = Open(path);

        Assert.Equal(ProfileStoreState.Loaded, store.State);
        Assert.Equal(ProfileLookupResult.Found, Lookup(store, "alice"));
        Assert.Equal(ProfileLookupResult.Found, Lookup(store, "42"));
        Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "carol"));
        Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "ALICE"));
    }

    [Fact]
    public void Injection_cookie_is_looked_up_literally()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["alice"]);
        using (var store = Open(path))
        {
            Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "x' OR '1'='1"));
            Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "x\" OR 1=1 --"));
            Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "'; DROP TABLE user_profiles; --"));
            Assert.Equal(ProfileLookupResult.Found, Lookup(store, "alice"));
        }

        ProfileFiles.Create(path, ["x' OR '1'='1"]);
        using var literal = Open(path);
        Assert.Equal(ProfileLookupResult.Found, Lookup(literal, "x' OR '1'='1"));
        Assert.Equal(ProfileLookupResult.NotFound, Lookup(literal, "x"));
    }

    [Fact]
    public void Flag_column_is_honoured_when_it_exists()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["on", "off"], flagColumn: "has_profile", flag: id => id == "on");
        using var store = Open(path);

        Assert.Equal(ProfileLookupResult.Found, Lookup(store, "on"));
        Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "off"));
    }

    [Fact]
    public void Custom_table_and_column_names_are_used()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["u1"], table: "segments", column: "uid");
        using var store = Open(path, new ProfileTableSchema("segments", "uid"));

        Assert.Equal(ProfileLookupResult.Found, Lookup(store, "u1"));
        using var wrongSchema = Open(path);
        Assert.Equal(ProfileStoreState.MissingTable, wrongSchema.State);
    }

    [Fact]
    public void Table_name_that_is_not_an_identifier_is_rejected_at_start()
    {
        Assert.Throws<ArgumentException>(() => Open(_dir.File("p.db"), new ProfileTableSchema("user_profiles; DROP TABLE x", "profile_id")));
    }

    public static TheoryData<string, ProfileStoreState> BrokenFiles => new()
    {
        { "missing", ProfileStoreState.Missing },
        { "zero-bytes", ProfileStoreState.Empty },
        { "random-bytes", ProfileStoreState.NotADatabase },
        { "no-table", ProfileStoreState.MissingTable },
        { "truncated", ProfileStoreState.Truncated },
        { "sqlite-header-then-garbage", ProfileStoreState.Truncated },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Broken_file_means_no_profile_and_is_logged_once_and_counted(string kind, ProfileStoreState expected)
    {
        var path = _dir.File("profiles.db");
        MakeBroken(path, kind);
        using var store = Open(path);

        Assert.Equal(expected, store.State);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(ProfileLookupResult.Unavailable, Lookup(store, "alice"));
        }

        store.Reload();
        store.Reload();
        Assert.Equal(1, _log.Count(LogLevel.Warning));
        Assert.Equal(1, _metrics.ProfileLoadFailures);
        Assert.Equal(100, _metrics.ProfileUnavailableLookups);
    }

    [Fact]
    public void Locked_file_means_no_profile_until_the_writer_lets_go()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["alice"]);
        using (var writer = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            writer.Open();
            using var lockIt = writer.CreateCommand();
            lockIt.CommandText = "BEGIN EXCLUSIVE; INSERT INTO user_profiles VALUES ('bob', '{}');";
            lockIt.ExecuteNonQuery();

            using var store = Open(path);
            Assert.Equal(ProfileStoreState.Locked, store.State);
            Assert.Equal(ProfileLookupResult.Unavailable, Lookup(store, "alice"));

            using var rollback = writer.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
            store.Reload();
            Assert.Equal(ProfileStoreState.Loaded, store.State);
            Assert.Equal(ProfileLookupResult.Found, Lookup(store, "alice"));
        }
    }

    [Fact]
    public async Task Replaced_file_is_picked_up_without_reopening_the_store()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["old-user"]);
        using var store = Open(path);
        Assert.Equal(ProfileLookupResult.Found, Lookup(store, "old-user"));

        ProfileFiles.Create(path, ["new-user"]);

        await Eventually.AssertAsync(() => Lookup(store, "new-user") == ProfileLookupResult.Found, TimeSpan.FromSeconds(60), "swap to the new file");
        Assert.Equal(ProfileLookupResult.NotFound, Lookup(store, "old-user"));
    }

    [Fact]
    public async Task Store_recovers_when_a_broken_file_is_replaced_by_a_good_one()
    {
        var path = _dir.File("profiles.db");
        MakeBroken(path, "random-bytes");
        using var store = Open(path);
        Assert.Equal(ProfileLookupResult.Unavailable, Lookup(store, "alice"));

        ProfileFiles.Create(path, ["alice"]);

        await Eventually.AssertAsync(() => Lookup(store, "alice") == ProfileLookupResult.Found, TimeSpan.FromSeconds(60), "recovery");
        Assert.Equal(ProfileStoreState.Loaded, store.State);
    }

    [Fact]
    public async Task Missing_directory_is_no_profile_and_a_file_appearing_later_is_used()
    {
        var path = _dir.File("profiles.db");
        using var store = Open(path);
        Assert.Equal(ProfileStoreState.Missing, store.State);

        ProfileFiles.Create(path, ["late"]);

        await Eventually.AssertAsync(() => Lookup(store, "late") == ProfileLookupResult.Found, TimeSpan.FromSeconds(60), "late file");
    }

    [Fact]
    public async Task Lookups_on_many_threads_during_swaps_never_fail()
    {
        var path = _dir.File("profiles.db");
        ProfileFiles.Create(path, ["a", "shared"]);
        using var store = Open(path);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var unavailable = 0;
        var lookups = 0L;
        // Dedicated threads: four spinning pool threads would starve the thread pool that the other test
        // classes' servers run on.
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (Lookup(store, "shared") != ProfileLookupResult.Found)
                {
                    Interlocked.Increment(ref unavailable);
                }

                Interlocked.Increment(ref lookups);
            }
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        for (var i = 0; i < 10; i++)
        {
            ProfileFiles.Create(path, [$"gen-{i}", "shared"]);
            var expected = $"gen-{i}";
            await Eventually.AssertAsync(() => Lookup(store, expected) == ProfileLookupResult.Found, TimeSpan.FromSeconds(60), $"generation {i}");
        }

        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.Equal(0, unavailable);
        Assert.True(lookups > 1000, $"only {lookups} lookups ran");
    }

    private static void MakeBroken(string path, string kind) => ProfileFiles.MakeBroken(path, kind);
}
