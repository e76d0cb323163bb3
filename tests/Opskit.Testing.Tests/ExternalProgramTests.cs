using Xunit;
using Xunit.Sdk;

namespace Opskit.Testing.Tests;

public sealed class ExternalProgramTests
{
    [Fact]
    public void Missing_program_in_ci_fails_and_names_the_package()
    {
        var missing = "opskit-missing-" + Guid.NewGuid().ToString("N");

        var error = Assert.Throws<FailException>(() => ExternalProgram.Require(missing, "apt: opskit-example-package", inCi: true, []));

        Assert.Contains("apt: opskit-example-package", error.Message, StringComparison.Ordinal);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Present_program_returns_its_full_path()
    {
        var path = ExternalProgram.Require("sh", "apt: dash");

        Assert.True(Path.IsPathFullyQualified(path));
        Assert.True(File.Exists(path));
    }
}
