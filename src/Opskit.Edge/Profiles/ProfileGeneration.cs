using System.Collections.Concurrent;
using SQLitePCL;

namespace Opskit.Edge.Profiles;

/// <summary>
/// One validated profiles file and its readers. Reference-counted: the store holds one reference while the
/// generation is current, each lookup holds one while it runs, and the readers are closed when the count reaches
/// zero, i.e. after the last in-flight lookup on a replaced file.
/// </summary>
internal sealed class ProfileGeneration
{
    private readonly string _path;
    private readonly string _lookupSql;
    private readonly ConcurrentQueue<ProfileReader> _idle = new();
    private int _references = 1;
    private int _failed;
    private volatile ProfileIndex? _index;

    public ProfileGeneration(string path, string lookupSql, FileIdentity identity, ProfileReader first)
    {
        _path = path;
        _lookupSql = lookupSql;
        Identity = identity;
        _idle.Enqueue(first);
    }

    public FileIdentity Identity { get; }

    /// <summary>The fingerprint index once built (null while building or when it could not be built).</summary>
    public ProfileIndex? Index => _index;

    /// <summary>
    /// Builds the fingerprint index from this generation's own file (through one of its readers), then publishes it.
    /// Runs in the background after the swap: lookups use SQLite alone until it is ready.
    /// </summary>
    public void BuildIndex(string keySql)
    {
        if (!TryAcquire())
        {
            return;
        }

        try
        {
            if (!_idle.TryDequeue(out var reader))
            {
                return;
            }

            var builder = new ProfileIndex.Builder();
            var fits = true;
            bool complete;
            try
            {
                complete = reader.Scan(keySql, key => fits &= builder.Add(key), () => fits && Volatile.Read(ref _references) > 1 && !Failed);
            }
            finally
            {
                _idle.Enqueue(reader);
            }

            if (complete && fits)
            {
                _index = builder.Build();
            }
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Set when a lookup hit an error (file damaged under us): the store re-validates the path.</summary>
    public bool Failed => Volatile.Read(ref _failed) != 0;

    /// <summary>
    /// Opens <paramref name="count"/> more readers now, while the path is known to hold this file, so lookups rarely
    /// have to open one later (when the path may already name a newer file).
    /// </summary>
    public void Warm(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (ProfileReader.TryOpen(_path, _lookupSql, out var reader) != ProfileStoreState.Loaded)
            {
                return;
            }

            _idle.Enqueue(reader!);
        }
    }

    public bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            while (_idle.TryDequeue(out var reader))
            {
                reader.Dispose();
            }
        }
    }

    /// <summary>Looks up while holding a reference (see <see cref="TryAcquire"/>).</summary>
    public ProfileLookupResult Lookup(ReadOnlySpan<byte> idUtf8)
    {
        if (_index is { } index)
        {
            return index.Contains(idUtf8) ? ProfileLookupResult.Found : ProfileLookupResult.NotFound;
        }

        if (!_idle.TryDequeue(out var reader))
        {
            // Another thread holds every reader: open one more rather than wait (the pool grows to the peak concurrency).
            if (ProfileReader.TryOpen(_path, _lookupSql, out reader) != ProfileStoreState.Loaded)
            {
                Volatile.Write(ref _failed, 1);
                return ProfileLookupResult.Unavailable;
            }
        }

        var rc = reader!.Lookup(idUtf8);
        _idle.Enqueue(reader);
        if (rc == raw.SQLITE_ROW)
        {
            return ProfileLookupResult.Found;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return ProfileLookupResult.NotFound;
        }

        Volatile.Write(ref _failed, 1);
        return ProfileLookupResult.Unavailable;
    }
}

/// <summary>What identifies the file at a path between checks: size and modification time (ns on Linux).</summary>
internal readonly record struct FileIdentity(long Length, long LastWriteTicks)
{
    public static FileIdentity? Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileIdentity(info.Length, info.LastWriteTimeUtc.Ticks) : null;
    }
}
