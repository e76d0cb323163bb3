using Opskit.Testing;

namespace Opskit.Statsd.Compat.Tests.Support;

/// <summary>Etsy statsd 0.9.0 from npm (<c>tests/npm-packages.txt</c>) on the machine's Node.js: the reference.</summary>
internal sealed class EtsyStatsd(TempDirectory directory, EtsyConfig config) : StatsdDaemon(Etsy, directory, config)
{
    /// <summary><c>stats.js</c> of the installed package; fails (CI) or skips the test when it is missing.</summary>
    public static string Script
    {
        get
        {
            var script = Path.Combine(RepoPaths.NodeModules, "statsd", "stats.js");
            if (!File.Exists(script))
            {
                var reason = $"Etsy statsd is not installed at {script}; run: npm install --prefix .tools/node statsd@0.9.0";
                if (ExternalProgram.InCi)
                {
                    Xunit.Assert.Fail(reason);
                }

                Xunit.Assert.Skip(reason);
            }

            return script;
        }
    }

    protected override ExternalProcess Launch()
    {
        var node = ExternalProgram.Require("node", "apt: nodejs");
        var script = Script;
        return ExternalProcess.Start(node, [script, ConfigPath], workingDirectory: Path.GetDirectoryName(script));
    }
}
