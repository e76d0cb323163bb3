using System.ComponentModel;
using System.Diagnostics;

namespace Opskit.VarnishLog;

/// <summary>Opens the input (stdin, a file, a binary file through varnishlog -r, or a followed varnishlog) and runs.</summary>
internal static class VlogdumpCommand
{
    public static async Task<int> RunAsync(VlogdumpSettings settings, CancellationToken stop)
    {
        VlogdumpRun run;
        try
        {
            run = new VlogdumpRun(settings, Console.OpenStandardOutput(), TimeProvider.System);
        }
        catch (FormatException ex)
        {
            await Console.Error.WriteLineAsync($"opskit vlogdump: {ex.Message}").ConfigureAwait(false);
            return VlogdumpTool.UsageError;
        }

        using (run)
        {
            var exitCode = 0;
            try
            {
                exitCode = await ReadInputAsync(settings, run, stop).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Win32Exception)
            {
                await Console.Error.WriteLineAsync($"opskit vlogdump: {ex.Message}").ConfigureAwait(false);
                exitCode = VlogdumpTool.InputError;
            }

            var json = settings.Format == Output.OutputFormat.Json;
            if (exitCode != 0 && run.Assembler.Counters.Lines == 0)
            {
                // Nothing was read: a summary of nothing would only hide the error line.
                return exitCode;
            }

            if (settings.SummaryOnly)
            {
                await Console.Out.WriteLineAsync(run.SummaryText(json).TrimEnd('\n')).ConfigureAwait(false);
            }
            else if (!settings.NoSummary)
            {
                await Console.Error.WriteLineAsync(run.SummaryText(json).TrimEnd('\n')).ConfigureAwait(false);
            }

            return exitCode;
        }
    }

    private static async Task<int> ReadInputAsync(VlogdumpSettings settings, VlogdumpRun run, CancellationToken stop)
    {
        if (settings.Varnishlog)
        {
            List<string> arguments = ["-g", "request"];
            if (!string.IsNullOrEmpty(settings.InstanceName))
            {
                arguments.AddRange(["-n", settings.InstanceName]);
            }

            return await FromVarnishlogAsync(arguments, run, follow: true, stop).ConfigureAwait(false);
        }

        if (settings.File is null or "-")
        {
            var stdin = Console.OpenStandardInput();
            await using (stdin.ConfigureAwait(false))
            {
                // `varnishlog -w - | opskit vlogdump`: a binary stream is recognised by its first bytes, as a file is.
                var head = new byte[Parsing.VslBinaryReader.HeaderBytes];
                var first = stdin.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, stop).AsTask();
                if (await Task.WhenAny(first, Task.Delay(Timeout.Infinite, stop)).ConfigureAwait(false) != first)
                {
                    // Stopped before anything came (a pipe read does not always honour cancellation).
                    _ = first.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    return 0;
                }

                var got = await first.ConfigureAwait(false);
                if (got == head.Length && Parsing.VslBinaryReader.Detect(head) is var layout and not Parsing.VslBinaryLayout.Unknown)
                {
                    if (run.ReadBinary(stdin, layout, stop) is { } unreadable)
                    {
                        await Console.Error.WriteLineAsync($"opskit vlogdump: standard input: {unreadable}; give the file name to have it read with varnishlog -r").ConfigureAwait(false);
                        return VlogdumpTool.InputError;
                    }

                    return 0;
                }

                run.Feed(head.AsSpan(0, got));
                await run.ReadAsync(stdin, stop).ConfigureAwait(false);
            }

            return 0;
        }

        if (!File.Exists(settings.File) && settings.File.StartsWith('-'))
        {
            // The file argument takes any word, so an unknown option lands here: say what it is.
            await Console.Error.WriteLineAsync($"opskit vlogdump: unknown option '{settings.File}' (see 'opskit vlogdump --help')").ConfigureAwait(false);
            return VlogdumpTool.UsageError;
        }

        if (!File.Exists(settings.File))
        {
            await Console.Error.WriteLineAsync($"opskit vlogdump: {settings.File}: no such file").ConfigureAwait(false);
            return VlogdumpTool.InputError;
        }

        var stream = new FileStream(settings.File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var head = new byte[Parsing.VslBinaryReader.HeaderBytes];
            var got = await stream.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, stop).ConfigureAwait(false);
            if (got == head.Length && Parsing.VslBinaryReader.LooksBinary(head))
            {
                var layout = Parsing.VslBinaryReader.Detect(head);
                var unreadable = layout == Parsing.VslBinaryLayout.Unknown
                    ? $"unknown binary log version (header {Convert.ToHexString(head)})"
                    : run.ReadBinary(stream, layout, stop);
                if (unreadable is null)
                {
                    return 0;
                }

                // A log of a Varnish this reader does not know: varnishlog (the one installed) may still read it.
                await Console.Error.WriteLineAsync($"opskit vlogdump: {settings.File}: {unreadable}; reading it with varnishlog -r instead").ConfigureAwait(false);
                return await FromVarnishlogAsync(["-g", "request", "-r", settings.File], run, follow: false, stop).ConfigureAwait(false);
            }

            stream.Position = 0;
            await run.ReadAsync(stream, stop).ConfigureAwait(false);
            return 0;
        }
    }

    /// <summary>Runs varnishlog with <paramref name="arguments"/> and reads its standard output; its errors go to ours.</summary>
    private static async Task<int> FromVarnishlogAsync(List<string> arguments, VlogdumpRun run, bool follow, CancellationToken stop)
    {
        var info = new ProcessStartInfo("varnishlog")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new Win32Exception("varnishlog did not start");
        }
        catch (Win32Exception ex)
        {
            await Console.Error.WriteLineAsync($"opskit vlogdump: cannot run varnishlog ({ex.Message}); install the Debian package varnish").ConfigureAwait(false);
            return VlogdumpTool.InputError;
        }

        using (process)
        {
            await using (stop.Register(() => Stop(process)).ConfigureAwait(false))
            {
                await run.ReadAsync(process.StandardOutput.BaseStream, stop).ConfigureAwait(false);
                Stop(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            if (!stop.IsCancellationRequested && process.ExitCode != 0 && (follow || run.Assembler.Counters.Lines == 0))
            {
                await Console.Error.WriteLineAsync($"opskit vlogdump: varnishlog {string.Join(' ', arguments)} exited with {process.ExitCode}").ConfigureAwait(false);
                return VlogdumpTool.InputError;
            }

            return 0;
        }
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
