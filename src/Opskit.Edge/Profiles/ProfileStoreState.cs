namespace Opskit.Edge.Profiles;

/// <summary>Why the store does (or does not) answer from a file; logged once per change and exported as a metric.</summary>
public enum ProfileStoreState
{
    /// <summary>Not checked yet.</summary>
    Unknown,

    /// <summary>A validated file is in use.</summary>
    Loaded,

    /// <summary>No file at the path.</summary>
    Missing,

    /// <summary>A zero-byte file.</summary>
    Empty,

    /// <summary>Not an SQLite database (random bytes, wrong format).</summary>
    NotADatabase,

    /// <summary>Shorter than its header says: truncated or still being written.</summary>
    Truncated,

    /// <summary>An SQLite database without the configured table or column.</summary>
    MissingTable,

    /// <summary>Locked by a writer (or otherwise busy).</summary>
    Locked,

    /// <summary>Any other error opening or reading it.</summary>
    Unreadable,
}
