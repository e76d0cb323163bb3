using System.Diagnostics;
using System.Text.Json;
using Opskit.Testing;

namespace Opskit.ReplCheck.Tests.Support;

/// <summary>Runs the built <c>opskit replcheck</c> as a process, stdout and stderr kept apart.</summary>
public static class ReplCheckCli
{
    /// <summary>Exit code, stdout and stderr of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>stdout parsed as JSON.</summary>
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement.Clone();

        /// <summary>The check with <paramref name="id"/> (the first one) from the JSON output.</summary>
        public JsonElement Check(string id) =>
            Json.GetProperty("checks").EnumerateArray().FirstOrDefault(c => c.GetProperty("id").GetString() == id) is { ValueKind: JsonValueKind.Object } check
                ? check
                : throw new Xunit.Sdk.XunitException($"no check '{id}' in:\n{Stdout}\n{Stderr}");

        /// <summary>Status of the check <paramref name="id"/>.</summary>
        public string? Status(string id) => Check(id).GetProperty("status").GetString();

        /// <inheritdoc />
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs <c>opskit replcheck</c> with <paramref name="arguments"/>; HOME points at <paramref name="home"/> (no stray ~/.my.cnf).</summary>
    public static async Task<Result> RunAsync(IEnumerable<string> arguments, string home, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var (fileName, prefix) = RepoPaths.OpskitCommand();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Concat(["replcheck"]).Concat(arguments))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["HOME"] = home;
        info.Environment.Remove("MYSQL_PWD");
        info.Environment.Remove("MYSQL_HOST");
        info.Environment["NO_COLOR"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start opskit");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"opskit replcheck {string.Join(' ', arguments)} did not finish");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The connection arguments of root over TCP to <paramref name="server"/>.</summary>
    public static string[] Root(MariaDbServer server) => ["-h", "127.0.0.1", "-P", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-u", "root"];
}
