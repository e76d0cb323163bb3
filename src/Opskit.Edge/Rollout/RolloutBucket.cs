using System.Text;

namespace Opskit.Edge.Rollout;

/// <summary>
/// The sticky rollout bucket of a user: <c>fmix64(FNV-1a-64(UTF-8(salt) ++ UTF-8(userId))) mod 10000</c>.
/// The hash is fixed and documented (docs/edge.md) so that every front end, and an operator's script, computes the
/// same bucket; <see cref="string.GetHashCode()"/> is randomized per process and would not do.
/// </summary>
internal static class RolloutBucket
{
    /// <summary>Number of buckets: a percentage with two decimals maps to a whole number of buckets.</summary>
    public const int Buckets = 10_000;

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;

    /// <summary>Bucket in [0, 10000) of a user id given as UTF-8, after the salt (also UTF-8).</summary>
    public static int Of(ReadOnlySpan<byte> saltUtf8, ReadOnlySpan<byte> userIdUtf8)
    {
        var hash = FnvOffset;
        hash = Fnv(hash, saltUtf8);
        hash = Fnv(hash, userIdUtf8);
        return (int)(Mix(hash) % Buckets);
    }

    /// <summary>Convenience overload for tests and tooling (allocates).</summary>
    public static int Of(string salt, string userId) =>
        Of(Encoding.UTF8.GetBytes(salt), Encoding.UTF8.GetBytes(userId));

    private static ulong Fnv(ulong hash, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            hash ^= b;
            hash *= FnvPrime;
        }

        return hash;
    }

    // MurmurHash3's 64-bit finalizer: FNV alone leaves the low digits poorly mixed for short, similar ids.
    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33;
        k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
