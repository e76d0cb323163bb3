using System.Buffers;
using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Opskit.Edge.Profiles;

/// <summary>Settings of one <c>build-profiles</c> run.</summary>
/// <param name="Signals">Input file (CSV or JSON lines; gzip detected by its magic bytes).</param>
/// <param name="MinReads">Keep users with at least this many distinct articles.</param>
/// <param name="Output">The profiles file to create or replace atomically.</param>
/// <param name="MaxMalformedRatio">Fail (leaving <paramref name="Output"/> untouched) when malformed lines exceed this share.</param>
/// <param name="PartitionBytes">Spill partition size target: bounds memory (each partition is aggregated alone).</param>
internal sealed record ProfileBuildOptions(
    string Signals, int MinReads, string Output, double MaxMalformedRatio = 0.01, long PartitionBytes = 32L << 20);

/// <summary>What a build did.</summary>
internal sealed record ProfileBuildReport(long Lines, long Signals, long Malformed, long Users, long Profiles, bool Replaced, string? Error);

/// <summary>
/// <c>opskit edge build-profiles</c>: reading signals → distinct articles per user → the profiles SQLite file.
/// Memory stays bounded for any number of users: signals are first spilled to hash partitions of the user id
/// (external hash aggregation), then each partition is aggregated in memory on its own and written to SQLite.
/// The file is built as a temporary file next to the target, vacuumed, fsynced and renamed over the target,
/// so a reader (the proxy) sees either the old file or the complete new one, never a partial one.
/// </summary>
internal sealed class ProfileBuilder
{
    private readonly ProfileBuildOptions _options;
    private readonly TextWriter _progress;
    private readonly TimeSpan _progressInterval;

    public ProfileBuilder(ProfileBuildOptions options, TextWriter progress, TimeSpan? progressInterval = null)
    {
        _options = options;
        _progress = progress;
        _progressInterval = progressInterval ?? TimeSpan.FromSeconds(2);
    }

    public async Task<ProfileBuildReport> RunAsync(CancellationToken cancellationToken)
    {
        var output = Path.GetFullPath(_options.Output);
        var directory = Path.GetDirectoryName(output)!;
        Directory.CreateDirectory(directory);
        var inputLength = new FileInfo(_options.Signals).Length;
        var spillDirectory = Path.Combine(directory, $".{Path.GetFileName(output)}.spill-{Guid.NewGuid():N}");
        var temp = Path.Combine(directory, $".{Path.GetFileName(output)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(spillDirectory);
        try
        {
            var gzip = IsGzip(_options.Signals);
            // Compressed input is several times larger once spilled; size partitions for the expanded data.
            var expected = gzip ? inputLength * 6 : inputLength;
            var partitions = (int)Math.Clamp(expected / _options.PartitionBytes + 1, 1, 4096);
            var (lines, signals, malformed) = await SpillAsync(gzip, spillDirectory, partitions, cancellationToken).ConfigureAwait(false);
            var considered = signals + malformed;
            if (considered > 0 && (double)malformed / considered > _options.MaxMalformedRatio)
            {
                return new ProfileBuildReport(lines, signals, malformed, 0, 0, false,
                    $"{malformed} of {considered} lines are malformed ({(double)malformed / considered:P2}), above --max-malformed-ratio {_options.MaxMalformedRatio:P2}; {output} left unchanged");
            }

            var (users, profiles) = WriteDatabase(temp, spillDirectory, partitions, cancellationToken);
            FsyncFile(temp);
            File.Move(temp, output, overwrite: true); // rename(2): atomic on one file system.
            return new ProfileBuildReport(lines, signals, malformed, users, profiles, true, null);
        }
        finally
        {
            TryDelete(temp);
            TryDelete(temp + "-journal");
            try
            {
                Directory.Delete(spillDirectory, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private async Task<(long Lines, long Signals, long Malformed)> SpillAsync(
        bool gzip, string spillDirectory, int partitions, CancellationToken cancellationToken)
    {
        var writers = new StreamWriter[partitions];
        for (var i = 0; i < partitions; i++)
        {
            writers[i] = new StreamWriter(Path.Combine(spillDirectory, $"{i}.tsv"), false, new UTF8Encoding(false), 1 << 16);
        }

        long lines = 0, signals = 0, malformed = 0;
        var stopwatch = Stopwatch.StartNew();
        var lastProgress = TimeSpan.Zero;
        using var file = new FileStream(_options.Signals, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var input = gzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        try
        {
            var pipe = System.IO.Pipelines.PipeReader.Create(input, new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: 1 << 16));
            while (true)
            {
                var read = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    lines++;
                    Count(line, writers, ref signals, ref malformed);
                }

                if (read.IsCompleted && !buffer.IsEmpty)
                {
                    lines++;
                    Count(buffer, writers, ref signals, ref malformed);
                    buffer = buffer.Slice(buffer.End);
                }

                pipe.AdvanceTo(buffer.Start, buffer.End);
                if (stopwatch.Elapsed - lastProgress >= _progressInterval)
                {
                    lastProgress = stopwatch.Elapsed;
                    await _progress.WriteLineAsync(
                        $"build-profiles: {lines:N0} lines read ({file.Position * 100 / Math.Max(1, file.Length)}% of input), {malformed:N0} malformed")
                        .ConfigureAwait(false);
                }

                if (read.IsCompleted)
                {
                    break;
                }
            }

            await pipe.CompleteAsync().ConfigureAwait(false);
        }
        finally
        {
            foreach (var writer in writers)
            {
                await writer.DisposeAsync().ConfigureAwait(false);
            }
        }

        return (lines, signals, malformed);
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var position = buffer.PositionOf((byte)'\n');
        if (position is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, position.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, position.Value));
        return true;
    }

    private static void Count(ReadOnlySequence<byte> line, StreamWriter[] writers, ref long signals, ref long malformed)
    {
        var bytes = line.IsSingleSegment ? line.FirstSpan : line.ToArray();
        switch (SignalLineParser.TryParse(bytes, out var signal))
        {
            case SignalLineKind.Signal:
                signals++;
                var partition = (int)((uint)StableHash(signal.UserId) % (uint)writers.Length);
                var writer = writers[partition];
                writer.Write(signal.UserId);
                writer.Write('\t');
                writer.Write(signal.ArticleId);
                writer.Write('\t');
                writer.Write(signal.UnixSeconds);
                writer.Write('\n');
                break;
            case SignalLineKind.Malformed:
                malformed++;
                break;
        }
    }

    private (long Users, long Profiles) WriteDatabase(string temp, string spillDirectory, int partitions, CancellationToken cancellationToken)
    {
        long users = 0, profiles = 0;
        var connectionString = new SqliteConnectionStringBuilder { DataSource = temp, Pooling = false, Mode = SqliteOpenMode.ReadWriteCreate }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode=DELETE;
                PRAGMA synchronous=FULL;
                PRAGMA cache_size=-65536;
                CREATE TABLE user_profiles(profile_id TEXT PRIMARY KEY NOT NULL, data TEXT) WITHOUT ROWID;
                """);
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO user_profiles(profile_id, data) VALUES ($id, $data)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var data = insert.Parameters.Add("$data", SqliteType.Text);
            for (var p = 0; p < partitions; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var aggregates = Aggregate(Path.Combine(spillDirectory, $"{p}.tsv"));
                users += aggregates.Count;
                var kept = new List<KeyValuePair<string, UserReads>>();
                foreach (var pair in aggregates)
                {
                    if (pair.Value.Articles.Count >= _options.MinReads)
                    {
                        kept.Add(pair);
                    }
                }

                // Key order makes the B-tree inserts sequential within a partition.
                kept.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                using var transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
                foreach (var (user, reads) in kept)
                {
                    id.Value = user;
                    data.Value = $"{{\"articles\":{reads.Articles.Count},\"reads\":{reads.Reads},\"last_read\":{reads.LastRead}}}";
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                profiles += kept.Count;
                if (partitions > 1)
                {
                    _progress.WriteLine($"build-profiles: partition {p + 1}/{partitions} written, {profiles:N0} profiles so far");
                }
            }

            _progress.WriteLine($"build-profiles: {profiles:N0} profiles of {users:N0} users; VACUUM");
            Execute(connection, "VACUUM;");
        }

        return (users, profiles);
    }

    private static Dictionary<string, UserReads> Aggregate(string spillFile)
    {
        var users = new Dictionary<string, UserReads>(StringComparer.Ordinal);
        using var reader = new StreamReader(spillFile, Encoding.UTF8, false, 1 << 16);
        while (reader.ReadLine() is { } line)
        {
            var first = line.IndexOf('\t', StringComparison.Ordinal);
            var second = line.IndexOf('\t', first + 1);
            var user = line[..first];
            if (!users.TryGetValue(user, out var reads))
            {
                reads = new UserReads();
                users[user] = reads;
            }

            reads.Articles.Add(line[(first + 1)..second]);
            reads.Reads++;
            reads.LastRead = Math.Max(reads.LastRead, long.Parse(line.AsSpan(second + 1), System.Globalization.CultureInfo.InvariantCulture));
        }

        return users;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static void FsyncFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        file.Flush(flushToDisk: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    // FNV-1a over UTF-16 code units: stable across processes (string.GetHashCode is randomized per process).
    private static int StableHash(string s)
    {
        var hash = 2166136261u;
        foreach (var c in s)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)hash;
    }

    private sealed class UserReads
    {
        public HashSet<string> Articles { get; } = new(StringComparer.Ordinal);

        public long Reads { get; set; }

        public long LastRead { get; set; }
    }
}
