using Opskit.Testing;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary><c>opskit statsd --config FILE</c>, the built CLI started as a process.</summary>
internal sealed class OpskitStatsd(TempDirectory directory, EtsyConfig config) : StatsdDaemon(Opskit, directory, config)
{
    protected override ExternalProcess Launch() => RepoPaths.StartOpskit(["statsd", "--config", ConfigPath]);
}
