namespace Opskit.Cluster;

/// <summary>The exit codes of <c>opskit cluster</c> (docs/cluster.md, "Exit codes").</summary>
internal static class ExitCodes
{
    /// <summary>Stopped by a signal after serving.</summary>
    public const int Stopped = 0;

    /// <summary>Could not serve: the model failed to load.</summary>
    public const int CannotServe = 1;

    /// <summary>A bad option value, including a <c>--model</c> folder that is missing or lacks its files.</summary>
    public const int BadOption = 2;

    /// <summary>The listen address is taken or unusable (README, "Errors and exit codes").</summary>
    public const int CannotListen = 3;
}
