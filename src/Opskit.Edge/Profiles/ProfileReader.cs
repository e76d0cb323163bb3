using SQLitePCL;

namespace Opskit.Edge.Profiles;

/// <summary>
/// One read-only connection with its prepared lookup statement. Used by one thread at a time (taken from and
/// returned to the generation's pool), so lookups on different threads never wait for each other.
/// </summary>
internal sealed class ProfileReader : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _lookup;

    private ProfileReader(sqlite3 db, sqlite3_stmt lookup)
    {
        _db = db;
        _lookup = lookup;
    }

    /// <summary>Opens <paramref name="path"/> read-only and prepares the lookup; returns the failure kind when it cannot.</summary>
    public static ProfileStoreState TryOpen(string path, string lookupSql, out ProfileReader? reader)
    {
        reader = null;
        var rc = raw.sqlite3_open_v2(path, out var db, raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX, null);
        if (rc != raw.SQLITE_OK)
        {
            db.Dispose();
            return Classify(rc);
        }

        // Exclusive locking on a read-only connection takes the shared lock once and keeps it, so a lookup makes no
        // locking system calls (https://www.sqlite.org/pragma.html#pragma_locking_mode). Files are replaced by rename,
        // never written in place, so holding the lock on the old inode blocks nobody. mmap avoids read() copies.
        raw.sqlite3_exec(db, "PRAGMA locking_mode=EXCLUSIVE; PRAGMA mmap_size=4294967296; PRAGMA cache_size=-65536;");
        rc = raw.sqlite3_prepare_v2(db, lookupSql, out var stmt);
        if (rc != raw.SQLITE_OK)
        {
            var message = raw.sqlite3_errmsg(db).utf8_to_string() ?? string.Empty;
            stmt.Dispose();
            db.Dispose();
            return message.Contains("no such", StringComparison.Ordinal) ? ProfileStoreState.MissingTable : Classify(rc);
        }

        reader = new ProfileReader(db, stmt);
        return ProfileStoreState.Loaded;
    }

    /// <summary>Maps an SQLite result code to a store state.</summary>
    public static ProfileStoreState Classify(int rc) => (rc & 0xff) switch
    {
        raw.SQLITE_NOTADB => ProfileStoreState.NotADatabase,
        raw.SQLITE_CORRUPT => ProfileStoreState.Truncated,
        raw.SQLITE_BUSY or raw.SQLITE_LOCKED => ProfileStoreState.Locked,
        raw.SQLITE_CANTOPEN => ProfileStoreState.Missing,
        _ => ProfileStoreState.Unreadable,
    };

    /// <summary>
    /// Runs the lookup for a UTF-8 id. Returns <see cref="raw.SQLITE_ROW"/> when found, <see cref="raw.SQLITE_DONE"/>
    /// when not, anything else is an error code.
    /// </summary>
    public int Lookup(ReadOnlySpan<byte> idUtf8)
    {
        raw.sqlite3_bind_text(_lookup, 1, idUtf8);
        var rc = raw.sqlite3_step(_lookup);
        raw.sqlite3_reset(_lookup);
        return rc;
    }

    /// <summary>
    /// Runs <paramref name="sql"/> (one text column) on this connection and hands each value to
    /// <paramref name="onKey"/>; stops early when <paramref name="keepGoing"/> turns false. Uses this reader's open
    /// file, so it always scans the same file its lookups read, even if the path was replaced meanwhile.
    /// </summary>
    public bool Scan(string sql, Action<ReadOnlySpan<byte>> onKey, Func<bool> keepGoing)
    {
        if (raw.sqlite3_prepare_v2(_db, sql, out var stmt) != raw.SQLITE_OK)
        {
            stmt.Dispose();
            return false;
        }

        using (stmt)
        {
            var rows = 0;
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                onKey(raw.sqlite3_column_blob(stmt, 0));
                if ((++rows & 0xffff) == 0 && !keepGoing())
                {
                    return false;
                }
            }

            return rc == raw.SQLITE_DONE;
        }
    }

    public void Dispose()
    {
        _lookup.Dispose();
        _db.Dispose();
    }
}
