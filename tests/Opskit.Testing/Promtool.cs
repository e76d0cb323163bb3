using Xunit;

namespace Opskit.Testing;

/// <summary>Checks a <c>/metrics</c> exposition with Prometheus' own parser (<c>promtool check metrics</c>, Debian <c>prometheus</c>).</summary>
public static class Promtool
{
    /// <summary>Fails the test with promtool's complaints and the text when promtool does not accept <paramref name="exposition"/>.</summary>
    public static async Task AssertValidAsync(string exposition)
    {
        ArgumentNullException.ThrowIfNull(exposition);
        var promtool = ExternalProgram.Require("promtool", "apt: prometheus");
        using var dir = new TempDirectory();
        var file = dir.File("metrics.txt");
        await File.WriteAllTextAsync(file, exposition).ConfigureAwait(false);
        var (exitCode, output) = await ProgramRun.RunAsync("/bin/sh", ["-c", "exec \"$0\" check metrics < \"$1\"", promtool, file], TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        Assert.True(exitCode == 0, $"promtool check metrics refused the exposition ({exitCode}):\n{output}\n--- exposition ---\n{exposition}");
    }
}
