namespace Opskit.Edge.Rollout;

/// <summary>How a user with a profile is put in or out of the personalized rollout.</summary>
public enum RolloutMode
{
    /// <summary>By a stable hash of salt and user id: a user stays in as the percentage rises (default).</summary>
    Sticky,

    /// <summary>A new die roll per request, as the original VCL recipe did.</summary>
    Random,
}

/// <summary>
/// Rollout settings of one route, resolved once per configuration: the percentage as whole buckets
/// (0–10000, two decimals of a percent) and the salt pre-encoded as UTF-8.
/// </summary>
internal sealed class RolloutPolicy
{
    public RolloutPolicy(decimal percentage, string salt, RolloutMode mode)
    {
        if (percentage is < 0m or > 100m)
        {
            throw new ArgumentOutOfRangeException(nameof(percentage), percentage, "rollout percentage must be within 0–100");
        }

        if (decimal.Round(percentage, 2) != percentage)
        {
            throw new ArgumentOutOfRangeException(nameof(percentage), percentage, "rollout percentage has at most two decimals");
        }

        ThresholdBuckets = (int)(percentage * 100m);
        SaltUtf8 = System.Text.Encoding.UTF8.GetBytes(salt);
        Mode = mode;
    }

    /// <summary>A user is in the rollout when their bucket is below this (percentage × 100).</summary>
    public int ThresholdBuckets { get; }

    public byte[] SaltUtf8 { get; }

    public RolloutMode Mode { get; }

    /// <summary>True when a user (id as UTF-8) is in the rollout for this request.</summary>
    public bool Includes(ReadOnlySpan<byte> userIdUtf8)
    {
        if (ThresholdBuckets <= 0)
        {
            return false;
        }

        if (ThresholdBuckets >= RolloutBucket.Buckets)
        {
            return true;
        }

        var bucket = Mode == RolloutMode.Sticky
            ? RolloutBucket.Of(SaltUtf8, userIdUtf8)
            : System.Random.Shared.Next(RolloutBucket.Buckets);
        return bucket < ThresholdBuckets;
    }
}
