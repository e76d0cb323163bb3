using System.Text;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Admin;

/// <summary>
/// Etsy's <c>delete_stats</c> over all the names of a command in one pass (issue 21: one full listing and one
/// shard round trip per name made <c>delcounters</c> quadratic in the keyspace). Etsy handles the names in
/// command order, each deleting what is still there: the exact name, plus every name under <c>folder.</c> for
/// <c>folder.*</c>. The same result in one pass: each key belongs to the first name of the command that matches
/// it, found with one hash lookup for the exact name and one per dot of the key for the folders.
/// </summary>
internal sealed class DeletePlan
{
    private readonly string[] _buckets;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _folders;
    private readonly bool _anyFolder;

    public DeletePlan(string[] buckets)
    {
        _buckets = buckets;
        var exact = new Dictionary<string, int>(StringComparer.Ordinal);
        var folders = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < buckets.Length; i++)
        {
            exact.TryAdd(buckets[i], i);
            if (buckets[i].EndsWith(".*", StringComparison.Ordinal))
            {
                folders.TryAdd(buckets[i][..^1], i);
                _anyFolder = true;
            }
        }

        _exact = exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _folders = folders.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Index of the first name of the command that deletes <paramref name="key"/>, or -1.</summary>
    public int Match(string key)
    {
        var best = _exact.TryGetValue(key, out var e) ? e : int.MaxValue;
        if (_anyFolder)
        {
            var span = key.AsSpan();
            for (var dot = span.IndexOf('.'); dot >= 0; dot = NextDot(span, dot))
            {
                if (_folders.TryGetValue(span[..(dot + 1)], out var f) && f < best)
                {
                    best = f;
                }
            }
        }

        return best == int.MaxValue ? -1 : best;
    }

    private static int NextDot(ReadOnlySpan<char> span, int dot)
    {
        var next = span[(dot + 1)..].IndexOf('.');
        return next < 0 ? -1 : dot + 1 + next;
    }

    /// <summary>
    /// Etsy's reply: per name of the command, <c>metric NAME not found</c> or one <c>deleted: KEY</c> per key
    /// (the exact key first, then the folder's keys in creation order), then <c>END</c>.
    /// </summary>
    public string Reply(List<DeletedKey> deleted)
    {
        deleted.Sort(static (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : a.Order.CompareTo(b.Order));
        var sb = new StringBuilder();
        var at = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            var end = at;
            while (end < deleted.Count && deleted[end].Bucket == i)
            {
                end++;
            }

            if (end == at)
            {
                sb.Append("metric ").Append(_buckets[i]).Append(" not found\n");
                continue;
            }

            var bucket = _buckets[i];
            var folder = bucket.EndsWith(".*", StringComparison.Ordinal) ? bucket[..^1] : null;
            for (var j = at; j < end; j++)
            {
                if (deleted[j].Name == bucket)
                {
                    sb.Append("deleted: ").Append(bucket).Append('\n');
                    break;
                }
            }

            if (folder is not null)
            {
                for (var j = at; j < end; j++)
                {
                    // A key named like the pattern itself ("a.*") is both the exact match and under the folder:
                    // Etsy lists it twice.
                    if (deleted[j].Name.StartsWith(folder, StringComparison.Ordinal))
                    {
                        sb.Append("deleted: ").Append(deleted[j].Name).Append('\n');
                    }
                }
            }

            at = end;
        }

        return sb.Append("END\n\n").ToString();
    }
}
