using System.Text.RegularExpressions;
using Xunit;

namespace Opskit.Testing.Tests;

/// <summary>
/// A clone of the repository alone must pass <c>./test.sh</c>: nothing the build, the tests or the scripts read may
/// lie outside it (issue 12: test data once came from a <c>shared</c> folder beside the checkout that only CI had).
/// .ci/run also tests a clone placed where nothing lies beside it; this test names the offending line at once.
/// </summary>
public sealed partial class RepositoryStandsAloneTests
{
    private static readonly string[] Extensions = [".cs", ".csproj", ".props", ".targets", ".sh", ".cjs", ".js", ".py", ".json", ".slnx"];

    [Fact]
    public void No_source_test_or_script_reads_a_folder_beside_the_checkout()
    {
        var offenders = new List<string>();
        foreach (var file in Files())
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (OutsideReference().IsMatch(line))
                {
                    offenders.Add($"{Path.GetRelativePath(RepoPaths.Root, file)}:{lineNumber}: {line.Trim()}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "reads outside the repository:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_finds_a_reference_written_the_ways_the_old_code_did()
    {
        // Built from pieces so that this file does not match its own scan.
        var dots = "..";
        Assert.Matches(OutsideReference(), "Path.Combine(Root, \"" + dots + "\", \"shared\", \"data\")");
        Assert.Matches(OutsideReference(), "cat " + dots + "/shared/data/x.json");
        Assert.DoesNotMatch(OutsideReference(), "the shared InferenceSession");
    }

    private static IEnumerable<string> Files()
    {
        var root = RepoPaths.Root;
        foreach (var top in new[] { "src", "tests", "bench", ".ci", "deploy" })
        {
            var dir = Path.Combine(root, top);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (relative.Contains("/bin/", StringComparison.Ordinal) || relative.Contains("/obj/", StringComparison.Ordinal)
                    || relative.Contains("node_modules", StringComparison.Ordinal) || file.EndsWith(nameof(RepositoryStandsAloneTests) + ".cs", StringComparison.Ordinal))
                {
                    continue;
                }

                if (top == ".ci" || Array.IndexOf(Extensions, Path.GetExtension(file)) >= 0)
                {
                    yield return file;
                }
            }
        }

        foreach (var name in new[] { "test.sh", "opskit", "Directory.Build.props", "Directory.Packages.props", "Opskit.slnx" })
        {
            var file = Path.Combine(root, name);
            if (File.Exists(file))
            {
                yield return file;
            }
        }
    }

    // A path into the shared folder beside the checkout, written as a path or as Path.Combine arguments.
    [GeneratedRegex(@"\.\.[/\\]shared\b|""\.\.""\s*,\s*""shared""")]
    private static partial Regex OutsideReference();
}
