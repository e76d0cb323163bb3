using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests;

/// <summary>Runs the built <c>opskit execlog</c> through bash, so tests can pass raw bytes ($'\xff') and redirect streams to files.</summary>
internal static class Wrapper
{
    /// <summary>The opskit command as a bash word list.</summary>
    public static string Opskit
    {
        get
        {
            var (fileName, prefix) = RepoPaths.OpskitCommand();
            return string.Join(' ', new[] { fileName }.Concat(prefix).Select(Quote));
        }
    }

    /// <summary>Single-quotes a path or plain value for bash.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs <paramref name="script"/> with bash; stdout as bytes, stderr as text.</summary>
    public static async Task<(int ExitCode, byte[] Stdout, string Stderr)> BashAsync(string script, TimeSpan? timeout = null, byte[]? stdin = null)
    {
        var info = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        using var process = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var readErr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bash -c {script} did not finish in time");
        }

        await copyOut;
        return (process.ExitCode, stdout.ToArray(), await readErr);
    }

    /// <summary>The JSON records in <paramref name="file"/>, one per line; fails on a malformed line.</summary>
    public static List<JsonElement> Records(string file)
    {
        var records = new List<JsonElement>();
        foreach (var line in File.ReadAllText(file, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            records.Add(document.RootElement.Clone());
        }

        return records;
    }

    /// <summary>The one record in <paramref name="file"/>.</summary>
    public static JsonElement SingleRecord(string file)
    {
        var records = Records(file);
        Assert.Single(records);
        return records[0];
    }
}
