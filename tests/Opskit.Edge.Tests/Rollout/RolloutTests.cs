using Opskit.Edge.Rollout;

namespace Opskit.Edge.Tests.Rollout;

public sealed class RolloutTests
{
    [Theory]
    [InlineData(false, false, false, GateDecision.Anonymous)]
    [InlineData(false, true, true, GateDecision.Anonymous)]
    [InlineData(true, false, false, GateDecision.NoProfile)]
    [InlineData(true, false, true, GateDecision.NoProfile)]
    [InlineData(true, true, true, GateDecision.Personalized)]
    [InlineData(true, true, false, GateDecision.Holdout)]
    public void Gate_decision_table(bool hasCookie, bool hasProfile, bool inRollout, GateDecision expected)
    {
        Assert.Equal(expected, GateDecisions.Decide(hasCookie, hasProfile, inRollout));
        Assert.Equal(expected != GateDecision.Personalized, GateDecisions.IsGeneric(expected));
    }

    [Fact]
    public void Bucket_is_stable_and_documented()
    {
        // Pinned values: the hash is part of the contract (docs/edge.md), every front end must agree.
        Assert.Equal(RolloutBucket.Of("salt", "user-1"), RolloutBucket.Of("salt", "user-1"));
        Assert.Equal(PinnedBucket("", "42"), RolloutBucket.Of("", "42"));
        Assert.Equal(PinnedBucket("2026-q4", "user-1"), RolloutBucket.Of("2026-q4", "user-1"));
        Assert.NotEqual(RolloutBucket.Of("a", "user-1"), RolloutBucket.Of("b", "user-1"));
    }

    [Fact]
    public void Sticky_rollout_is_monotonic_as_the_percentage_rises()
    {
        var steps = new[] { 0m, 1m, 5m, 10m, 12.34m, 50m, 99.99m, 100m };
        for (var id = 0; id < 20_000; id++)
        {
            var utf8 = System.Text.Encoding.UTF8.GetBytes($"user-{id}");
            var wasIn = false;
            foreach (var step in steps)
            {
                var isIn = new RolloutPolicy(step, "salt", RolloutMode.Sticky).Includes(utf8);
                Assert.True(isIn || !wasIn, $"user-{id} left the rollout when it rose to {step}%");
                wasIn = isIn;
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(33.33)]
    [InlineData(50)]
    public void Sticky_share_is_within_one_percent_of_the_target_over_100k_ids(double percentage)
    {
        var policy = new RolloutPolicy((decimal)percentage, "rollout-2026", RolloutMode.Sticky);
        var inside = 0;
        for (var id = 0; id < 100_000; id++)
        {
            if (policy.Includes(System.Text.Encoding.UTF8.GetBytes(id.ToString(System.Globalization.CultureInfo.InvariantCulture))))
            {
                inside++;
            }
        }

        Assert.InRange(inside / 1000.0, percentage - 1, percentage + 1);
    }

    [Fact]
    public void Sticky_decision_is_the_same_on_every_request()
    {
        var policy = new RolloutPolicy(50m, "s", RolloutMode.Sticky);
        var utf8 = "user-77"u8.ToArray();
        var first = policy.Includes(utf8);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(first, policy.Includes(utf8));
        }
    }

    [Fact]
    public void Random_mode_rolls_per_request()
    {
        var policy = new RolloutPolicy(50m, "s", RolloutMode.Random);
        var inside = 0;
        for (var i = 0; i < 10_000; i++)
        {
            inside += policy.Includes("same-user"u8) ? 1 : 0;
        }

        Assert.InRange(inside, 4_500, 5_500);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(100, true)]
    public void Zero_and_hundred_percent_are_absolute(double percentage, bool expected)
    {
        foreach (var mode in new[] { RolloutMode.Sticky, RolloutMode.Random })
        {
            var policy = new RolloutPolicy((decimal)percentage, "s", mode);
            for (var id = 0; id < 1000; id++)
            {
                Assert.Equal(expected, policy.Includes(System.Text.Encoding.UTF8.GetBytes($"u{id}")));
            }
        }
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(100.01)]
    [InlineData(1.005)]
    public void Percentage_outside_range_or_with_three_decimals_is_rejected(double percentage)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RolloutPolicy((decimal)percentage, "s", RolloutMode.Sticky));
    }

    // Independent re-implementation of the documented formula: fmix64(FNV-1a-64(salt ++ id)) mod 10000.
    private static int PinnedBucket(string salt, string id)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(salt + id))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return (int)(hash % 10000);
    }
}
