using Xunit;
using Xunit.Sdk;

namespace Opskit.Testing.Tests;

public sealed class ExternalProgramTests
{
    [Fact]
    public void Missing_program_names_the_package_and_fails_in_ci_or_skips_elsewhere()
    {
        var missing = "opskit-missing-" + Guid.NewGuid().ToString("N");

        var error = Record.Exception(() => ExternalProgram.Require(missing, "apt: opskit-example-package"));

        Assert.NotNull(error);
        Assert.Contains("apt: opskit-example-package", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        if (ExternalProgram.InCi)
        {
            Assert.IsType<FailException>(error);
        }
        else
        {
            Assert.IsType<SkipException>(error);
        }
    }

    [Fact]
    public void Present_program_returns_its_full_path()
    {
        var path = ExternalProgram.Require("sh", "apt: dash");

        Assert.True(Path.IsPathFullyQualified(path));
        Assert.True(File.Exists(path));
    }
}
