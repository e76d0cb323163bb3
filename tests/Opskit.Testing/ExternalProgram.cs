using Xunit;

namespace Opskit.Testing;

/// <summary>
/// Finds programs that tests need (node, varnishd, carbon-cache, postgres). In CI (<c>CI=true</c>)
/// a missing program fails the test with the package to install; elsewhere the test is skipped
/// with that reason.
/// </summary>
public static class ExternalProgram
{
    /// <summary>True when running under CI, where nothing may be skipped for a missing program.</summary>
    public static bool InCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Returns the full path of <paramref name="program"/>, searching PATH and then <paramref name="extraDirectories"/>.</summary>
    /// <param name="program">File name, e.g. <c>varnishd</c>.</param>
    /// <param name="package">The package that provides it, e.g. <c>apt: varnish</c>.</param>
    /// <param name="extraDirectories">Directories to try after PATH (sbin folders, versioned folders).</param>
    public static string Require(string program, string package, params string[] extraDirectories) =>
        Require(program, package, InCi, extraDirectories);

    /// <summary><see cref="Require(string, string, string[])"/> with the CI rule chosen by the caller (for its own tests).</summary>
    internal static string Require(string program, string package, bool inCi, string[] extraDirectories)
    {
        var found = Find(program, extraDirectories);
        if (found is not null)
        {
            return found;
        }

        var reason = $"'{program}' is not installed; install {package} (./test.sh does this as root)";
        if (inCi)
        {
            Assert.Fail(reason);
        }

        Assert.Skip(reason);
        return null!; // unreachable: both asserts throw
    }

    /// <summary>The full path of <paramref name="program"/>, or null.</summary>
    public static string? Find(string program, params string[] extraDirectories)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentNullException.ThrowIfNull(extraDirectories);
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        var candidates = path.Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/sbin", "/usr/sbin", "/sbin"])
            .Concat(extraDirectories);
        foreach (var dir in candidates)
        {
            var full = System.IO.Path.Combine(dir, program);
            if (File.Exists(full))
            {
                return full;
            }
        }

        return null;
    }
}
