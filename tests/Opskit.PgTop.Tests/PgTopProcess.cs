using Opskit.Testing;

namespace Opskit.PgTop.Tests;

/// <summary>Runs the built <c>opskit pgtop</c> as a process and returns its exit code, stdout and stderr apart.</summary>
internal static class PgTopProcess
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var (fileName, prefix) = RepoPaths.OpskitCommand();
        var info = new System.Diagnostics.ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Append("pgtop").Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        // Neither the developer's PG* variables nor their config file may leak into a test.
        foreach (var name in new[] { "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD", "PGSERVICE", "PGPASSFILE", "NO_COLOR" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["HOME"] = Path.Combine(Path.GetTempPath(), "opskit-pgtop-test-home");
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                info.Environment[key] = value;
            }
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"opskit pgtop {string.Join(' ', arguments)} did not exit within 60 s");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
