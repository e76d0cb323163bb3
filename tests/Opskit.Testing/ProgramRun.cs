namespace Opskit.Testing;

/// <summary>Runs a program to completion and returns its exit code and output.</summary>
public static class ProgramRun
{
    /// <summary>Runs <paramref name="fileName"/>; throws with the output when it fails or times out.</summary>
    public static async Task<string> CheckedAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var (exitCode, output) = await RunAsync(fileName, arguments, timeout, environment).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} exited with {exitCode}:\n{output}");
        }

        return output;
    }

    /// <summary>Runs <paramref name="fileName"/> and returns its exit code and output; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = ExternalProcess.Start(fileName, arguments, environment);
        if (!await process.WaitForExitAsync(timeout).ConfigureAwait(false))
        {
            throw new TimeoutException($"{process.Description} did not finish within {timeout}:\n{process.Output}");
        }

        // The exit event can come before the last redirected line; WaitForExit() drains them.
        await process.WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return (process.ExitCode, process.Output);
    }
}
