namespace Opskit.Edge.Rollout;

/// <summary>What the personalization gate decided for one request.</summary>
public enum GateDecision
{
    /// <summary>The route has no gate: plain caching proxy.</summary>
    None,

    /// <summary>No (usable) user cookie: cached generic answer.</summary>
    Anonymous,

    /// <summary>A cookie but no profile row (or no usable profile store): cached generic answer.</summary>
    NoProfile,

    /// <summary>A profile, but outside the rollout: cached generic answer.</summary>
    Holdout,

    /// <summary>A profile inside the rollout: passed to the backend, uncached.</summary>
    Personalized,
}

/// <summary>The decision table of the gate, in the order the issue fixes, and the header spelling of each decision.</summary>
internal static class GateDecisions
{
    /// <summary>
    /// no cookie → generic; cookie but no row → generic; row and in the rollout → personalized (pass);
    /// row outside the rollout → generic (holdout). <paramref name="inRollout"/> is ignored unless a row exists
    /// (callers only compute it then).
    /// </summary>
    public static GateDecision Decide(bool hasCookie, bool hasProfile, bool inRollout) =>
        !hasCookie ? GateDecision.Anonymous
        : !hasProfile ? GateDecision.NoProfile
        : inRollout ? GateDecision.Personalized
        : GateDecision.Holdout;

    /// <summary>Value of the decision response header and of the upstream header.</summary>
    public static string HeaderValue(GateDecision decision) => decision switch
    {
        GateDecision.Anonymous => "anonymous",
        GateDecision.NoProfile => "no-profile",
        GateDecision.Holdout => "holdout",
        GateDecision.Personalized => "personalized",
        _ => "none",
    };

    /// <summary>True when the request is answered from the shared cache.</summary>
    public static bool IsGeneric(GateDecision decision) => decision != GateDecision.Personalized;
}
