using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Opskit.Edge.Profiles;

/// <summary>
/// The read-only profile store behind the personalization gate. Answers "does this user id have a profile" from an
/// SQLite file that a batch job replaces by rename; notices a new file within a second (watcher plus periodic
/// check), validates it, swaps it in atomically and closes the old one after in-flight lookups. Any broken file
/// means "no profile" for everyone: never an exception on the request path.
/// </summary>
internal sealed partial class ProfileStore : IDisposable
{
    private static readonly TimeSpan DefaultCheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _path;
    private readonly string _lookupSql;
    private readonly ProfileTableSchema _schema;
    private readonly ILogger _logger;
    private readonly EdgeMetrics _metrics;
    private readonly Lock _reloadLock = new();
    private readonly FileSystemWatcher? _watcher;
    private readonly ITimer _timer;
    // The file in use and the state reported for it, published together: a reader never sees a lookup
    // answered from one file while State describes another attempt.
    private Published _published = new(null, ProfileStoreState.Unknown);
    private bool _disposed;

    static ProfileStore() => Batteries_V2.Init();

    public ProfileStore(string path, ProfileTableSchema schema, ILogger logger, EdgeMetrics metrics, TimeProvider time, TimeSpan? checkInterval = null)
    {
        schema.Validate();
        _path = Path.GetFullPath(path);
        _schema = schema;
        _logger = logger;
        _metrics = metrics;
        _lookupSql = $"SELECT 1 FROM \"{schema.Table}\" WHERE \"{schema.KeyColumn}\" = ?1 LIMIT 1";
        Reload();

        var directory = Path.GetDirectoryName(_path)!;
        if (Directory.Exists(directory))
        {
            try
            {
                _watcher = new FileSystemWatcher(directory, Path.GetFileName(_path))
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                };
                _watcher.Created += OnFileEvent;
                _watcher.Changed += OnFileEvent;
                _watcher.Renamed += OnFileEvent;
                _watcher.Deleted += OnFileEvent;
                _watcher.EnableRaisingEvents = true;
            }
            catch (IOException)
            {
                // inotify limits reached: the periodic check alone still notices within the interval.
                _watcher?.Dispose();
                _watcher = null;
            }
        }

        var interval = checkInterval ?? DefaultCheckInterval;
        _timer = time.CreateTimer(_ => Reload(), null, interval, interval);
    }

    /// <summary>Full path of the watched file.</summary>
    public string FilePath => _path;

    /// <summary>Why the store answers the way it does right now.</summary>
    public ProfileStoreState State => Volatile.Read(ref _published).State;

    /// <summary>True once the current file's fingerprint index is built (benchmarks wait for it).</summary>
    internal bool IndexReady => Volatile.Read(ref _published).Generation?.Index is not null;

    /// <summary>True when <paramref name="idUtf8"/> has a profile in the current file; false for any failure.</summary>
    public ProfileLookupResult Lookup(ReadOnlySpan<byte> idUtf8)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var generation = Volatile.Read(ref _published).Generation;
            if (generation is null)
            {
                _metrics.ProfileUnavailable();
                return ProfileLookupResult.Unavailable;
            }

            // The index is plain managed memory: no reference counting (no shared-cache-line interlocked ops) needed.
            if (generation.Index is { } index)
            {
                return index.Contains(idUtf8) ? ProfileLookupResult.Found : ProfileLookupResult.NotFound;
            }

            if (!generation.TryAcquire())
            {
                continue; // Swapped out between the read and the acquire: read the new one.
            }

            try
            {
                var result = generation.Lookup(idUtf8);
                if (result == ProfileLookupResult.Unavailable)
                {
                    _metrics.ProfileUnavailable();
                    ThreadPool.UnsafeQueueUserWorkItem(static store => store.Reload(), this, preferLocal: false);
                }

                return result;
            }
            finally
            {
                generation.Release();
            }
        }

        _metrics.ProfileUnavailable();
        return ProfileLookupResult.Unavailable;
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e) => Reload();

    /// <summary>Checks the path; validates and swaps in a new file when it changed or the current one failed.</summary>
    internal void Reload()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            var published = _published;
            var current = published.Generation;
            var identity = FileIdentity.Of(_path);
            // A broken path is re-checked every time (a locked file may unlock); a good one only when it changed.
            if (current is not null && !current.Failed && identity == current.Identity)
            {
                return;
            }

            var state = TryLoad(identity, out var next);
            Volatile.Write(ref _published, new Published(next, state));
            current?.Release();
            if (next is not null)
            {
                LogLoaded(_logger, _path, identity!.Value.Length);
                if (next.Index is { } index)
                {
                    // Built before it was published: the index task skipped the metric, so set it here.
                    _metrics.SetProfileIndex(_path, index.Count);
                }
            }

            ReportState(published.State, state);
        }
    }

    private ProfileStoreState TryLoad(FileIdentity? identity, out ProfileGeneration? generation)
    {
        generation = null;
        if (identity is null)
        {
            return ProfileStoreState.Missing;
        }

        if (identity.Value.Length == 0)
        {
            return ProfileStoreState.Empty;
        }

        var header = CheckHeader(_path);
        if (header != ProfileStoreState.Loaded)
        {
            return header;
        }

        var sql = _lookupSql;
        var opened = ProfileReader.TryOpen(_path, sql, out var probe);
        if (opened != ProfileStoreState.Loaded)
        {
            return opened;
        }

        var useFlag = _schema.FlagColumn.Length > 0 && HasColumn(_schema.FlagColumn);
        if (useFlag)
        {
            probe!.Dispose();
            sql = $"SELECT 1 FROM \"{_schema.Table}\" WHERE \"{_schema.KeyColumn}\" = ?1 AND \"{_schema.FlagColumn}\" LIMIT 1";
            opened = ProfileReader.TryOpen(_path, sql, out probe);
            if (opened != ProfileStoreState.Loaded)
            {
                return opened;
            }
        }

        // One real read through the B-tree proves the file is readable and not locked by a writer.
        var rc = probe!.Lookup("opskit-validation-probe"u8);
        if (rc != raw.SQLITE_ROW && rc != raw.SQLITE_DONE)
        {
            probe.Dispose();
            return ProfileReader.Classify(rc);
        }

        generation = new ProfileGeneration(_path, sql, identity.Value, probe);
        generation.Warm(Math.Min(Environment.ProcessorCount * 2, 16) - 1);
        var built = generation;
        var keySql = $"SELECT \"{_schema.KeyColumn}\" FROM \"{_schema.Table}\"" + (useFlag ? $" WHERE \"{_schema.FlagColumn}\"" : string.Empty);
        _metrics.SetProfileIndex(_path, 0);
        _ = Task.Run(() =>
        {
            built.BuildIndex(keySql);
            var current = Volatile.Read(ref _published).Generation;
            if (built.Index is { } index && (current is null || ReferenceEquals(current, built)))
            {
                _metrics.SetProfileIndex(_path, index.Count);
            }
        });
        return ProfileStoreState.Loaded;
    }

    private bool HasColumn(string column)
    {
        if (raw.sqlite3_open_v2(_path, out var db, raw.SQLITE_OPEN_READONLY, null) != raw.SQLITE_OK)
        {
            db.Dispose();
            return false;
        }

        try
        {
            if (raw.sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", out var stmt) != raw.SQLITE_OK)
            {
                stmt.Dispose();
                return false;
            }

            using (stmt)
            {
                raw.sqlite3_bind_text(stmt, 1, _schema.Table);
                raw.sqlite3_bind_text(stmt, 2, column);
                return raw.sqlite3_step(stmt) == raw.SQLITE_ROW;
            }
        }
        finally
        {
            db.Dispose();
        }
    }

    /// <summary>
    /// Reads the 100-byte SQLite header: the magic string, and the page count × page size against the file length,
    /// which catches a file truncated or still being copied without reading the whole file.
    /// </summary>
    internal static ProfileStoreState CheckHeader(string path)
    {
        Span<byte> header = stackalloc byte[100];
        long length;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
            length = file.Length;
            if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length)
            {
                return length == 0 ? ProfileStoreState.Empty : ProfileStoreState.NotADatabase;
            }
        }
        catch (FileNotFoundException)
        {
            return ProfileStoreState.Missing;
        }
        catch (DirectoryNotFoundException)
        {
            return ProfileStoreState.Missing;
        }
        catch (IOException)
        {
            return ProfileStoreState.Unreadable;
        }
        catch (UnauthorizedAccessException)
        {
            return ProfileStoreState.Unreadable;
        }

        if (!header[..16].SequenceEqual("SQLite format 3\0"u8))
        {
            return ProfileStoreState.NotADatabase;
        }

        int pageSize = BinaryPrimitives.ReadUInt16BigEndian(header[16..]);
        pageSize = pageSize == 1 ? 65536 : pageSize;
        var pages = BinaryPrimitives.ReadUInt32BigEndian(header[28..]);
        var changeCounter = BinaryPrimitives.ReadUInt32BigEndian(header[24..]);
        var validFor = BinaryPrimitives.ReadUInt32BigEndian(header[92..]);

        // The in-header size is only authoritative when "version-valid-for" matches the change counter.
        if (pages > 0 && changeCounter == validFor && (long)pages * pageSize > length)
        {
            return ProfileStoreState.Truncated;
        }

        return length % pageSize == 0 ? ProfileStoreState.Loaded : ProfileStoreState.Truncated;
    }

    private void ReportState(ProfileStoreState previous, ProfileStoreState state)
    {
        _metrics.SetProfileState(_path, state);
        if (state == previous)
        {
            return;
        }

        if (state == ProfileStoreState.Loaded)
        {
            return; // Logged with its size by the caller.
        }

        _metrics.ProfileLoadFailed();
        LogUnavailable(_logger, _path, state);
    }

    public void Dispose()
    {
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _watcher?.Dispose();
            _timer.Dispose();
            var current = _published.Generation;
            Volatile.Write(ref _published, _published with { Generation = null });
            current?.Release();
        }
    }

    /// <summary>What readers see: the generation lookups use and the state of the attempt that produced it.</summary>
    private sealed record Published(ProfileGeneration? Generation, ProfileStoreState State);

    [LoggerMessage(Level = LogLevel.Information, Message = "profiles: using {Path} ({Bytes} bytes)")]
    private static partial void LogLoaded(ILogger logger, string path, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "profiles: {Path} is unusable ({State}); every request is answered as \"no profile\" until a valid file appears")]
    private static partial void LogUnavailable(ILogger logger, string path, ProfileStoreState state);
}
