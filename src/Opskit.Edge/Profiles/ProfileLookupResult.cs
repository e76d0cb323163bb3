namespace Opskit.Edge.Profiles;

/// <summary>Answer of one profile lookup.</summary>
internal enum ProfileLookupResult
{
    /// <summary>The id has a (flagged) row.</summary>
    Found,

    /// <summary>The store is healthy and the id has no row.</summary>
    NotFound,

    /// <summary>No usable file (missing, broken, locked): counts as "no profile".</summary>
    Unavailable,
}
