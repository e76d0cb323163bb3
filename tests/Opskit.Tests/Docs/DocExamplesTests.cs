using System.Diagnostics;
using Opskit.Testing;
using Xunit;

namespace Opskit.Tests.Docs;

/// <summary>
/// The examples of README.md and docs/*.md marked <c>sh runnable</c> run as written against the built
/// <c>opskit</c> (on PATH through a launcher, as after <c>./opskit install</c>), each in an empty folder, and print
/// what the <c>text output</c> block after them shows. A broken example fails CI.
/// </summary>
public sealed class DocExamplesTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static TheoryData<string> Examples()
    {
        var data = new TheoryData<string>();
        foreach (var example in All())
        {
            data.Add(example.ToString());
        }

        return data;
    }

    [Fact]
    public void The_docs_have_runnable_examples_and_the_parser_finds_them()
    {
        Assert.NotEmpty(All());
        var parsed = DocExample.Parse("x.md", "text\n```sh runnable\necho a\necho b\n```\n\n```text output\na\n...\n```\n```sh\nnot run\n```\n");
        var only = Assert.Single(parsed);
        Assert.Equal("echo a\necho b\n", only.Script);
        Assert.Equal(["a", "..."], only.ExpectedOutput);
        Assert.True(DocExample.OutputMatches(only.ExpectedOutput!, "a\nb\nc\n"));
        Assert.False(DocExample.OutputMatches(["a", "b"], "a\nc\n"));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_runs_as_written(string name)
    {
        var example = All().Single(e => e.ToString() == name);
        using var dir = new TempDirectory("opskit-doc");
        var bin = Directory.CreateDirectory(Path.Combine(dir.Path, ".bin")).FullName;
        var (fileName, prefix) = RepoPaths.OpskitCommand();
        var launcher = Path.Combine(bin, "opskit");
        await File.WriteAllTextAsync(launcher, $"#!/bin/sh\nexec {fileName} {string.Join(' ', prefix.Select(p => $"'{p}'"))} \"$@\"\n", TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var script = Path.Combine(dir.Path, ".example.sh");
        await File.WriteAllTextAsync(script, example.Script, TestContext.Current.CancellationToken);

        var start = new ProcessStartInfo("bash", ["-euo", "pipefail", script])
        {
            WorkingDirectory = dir.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.Environment["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["NO_COLOR"] = "1";
        start.Environment["OPSKIT_REPO"] = RepoPaths.Root;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{name} did not finish within {Timeout}");
        }

        var output = await stdout;
        Assert.True(process.ExitCode == 0, $"{name} exited with {process.ExitCode}\n--- script\n{example.Script}--- stdout\n{output}--- stderr\n{await stderr}");
        if (example.ExpectedOutput is { } expected)
        {
            Assert.True(DocExample.OutputMatches(expected, output), $"{name}: the output differs from the docs\n--- expected\n{string.Join('\n', expected)}\n--- actual\n{output}");
        }
    }

    private static List<DocExample> All()
    {
        var files = new List<string> { Path.Combine(RepoPaths.Root, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal));
        var examples = new List<DocExample>();
        foreach (var file in files)
        {
            examples.AddRange(DocExample.Parse(Path.GetRelativePath(RepoPaths.Root, file), File.ReadAllText(file)));
        }

        return examples;
    }
}
