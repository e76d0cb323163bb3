using System.Reflection;

namespace Opskit.Testing;

/// <summary>Where things are in the checkout: the repo root, npm tools, the built <c>opskit</c>.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The repository root (the folder holding <c>Opskit.slnx</c>).</summary>
    public static string Root => RootPath.Value;

    /// <summary>
    /// <c>node_modules</c> of the npm packages that <c>./test.sh</c> installs from
    /// <c>tests/npm-packages.txt</c> (into <c>.tools/node</c>).
    /// </summary>
    public static string NodeModules => Path.Combine(Root, ".tools", "node", "node_modules");

    /// <summary>
    /// The command that runs the built <c>opskit</c> (same configuration as the test assembly):
    /// <c>dotnet</c> plus the path of <c>opskit.dll</c> as the first argument.
    /// </summary>
    public static (string FileName, string[] Arguments) OpskitCommand()
    {
        var configuration = typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        string[] candidates = [configuration, "Debug", "Release"];
        foreach (var candidate in candidates)
        {
            var dll = Path.Combine(Root, "src", "Opskit", "bin", candidate, "net10.0", "opskit.dll");
            if (File.Exists(dll))
            {
                return ("dotnet", [dll]);
            }
        }

        throw new FileNotFoundException($"opskit.dll is not built under {Path.Combine(Root, "src", "Opskit", "bin")}; build the solution first");
    }

    /// <summary>Starts <c>opskit</c> with <paramref name="arguments"/> as an external process.</summary>
    public static ExternalProcess StartOpskit(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var (fileName, prefix) = OpskitCommand();
        return ExternalProcess.Start(fileName, prefix.Concat(arguments), environment, workingDirectory);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Opskit.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Opskit.slnx above {AppContext.BaseDirectory}");
    }
}
