using System.Net;
using System.Net.Sockets;
using Opskit.Testing;

namespace Opskit.Cluster.Tests;

/// <summary>Issue #20: every start-up failure is one clear line and a documented exit code, and the small CLI conveniences.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ClusterToolStartupTests
{
    private static async Task<(int Exit, string Out, string Error)> RunAsync(params string[] arguments)
    {
        var command = new ClusterTool().CreateCommand();
        var output = new StringWriter();
        var error = new StringWriter();
        var (originalOut, originalError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(1));
            var exit = await command.Parse(arguments).InvokeAsync(cancellationToken: timeout.Token);
            Assert.False(timeout.IsCancellationRequested, "the command kept running");
            return (exit, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task Port_in_use_is_one_line_and_exit_3()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        var (exit, output, error) = await RunAsync("--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3, exit);
        var line = Assert.Single(Lines(error));
        Assert.Contains($"http://127.0.0.1:{port}", line, StringComparison.Ordinal);
        Assert.Contains("already in use", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Application started", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_model_folder_is_one_line_and_exit_2_before_anything_starts()
    {
        using var folder = new TempDirectory();
        var missing = Path.Combine(folder.Path, "no-such-model");
        var (exit, output, error) = await RunAsync("--model", missing, "--urls", $"http://127.0.0.1:{FreePort.Tcp()}");
        Assert.Equal(2, exit);
        Assert.Equal($"opskit cluster: --model {missing}: no such folder", Assert.Single(Lines(error)));
        Assert.Equal(string.Empty, output);
    }

    [Fact]
    public async Task Model_folder_without_its_files_is_one_line_and_exit_2()
    {
        using var folder = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "vocab.txt"), "[PAD]\n", TestContext.Current.CancellationToken);
        var (exit, _, error) = await RunAsync("--model", folder.Path, "--urls", $"http://127.0.0.1:{FreePort.Tcp()}");
        Assert.Equal(2, exit);
        Assert.Contains("has no model.onnx", Assert.Single(Lines(error)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Urls_and_host_together_are_refused()
    {
        var (exit, _, error) = await RunAsync("--urls", "http://127.0.0.1:1", "--port", "2");
        Assert.Equal(2, exit);
        Assert.Contains("--host/--port", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 9000, "http://127.0.0.1:9000")]
    [InlineData("0.0.0.0", null, "http://0.0.0.0:8000")]
    [InlineData("::1", 8100, "http://[::1]:8100")]
    public void Host_and_port_make_the_listen_url(string? host, int? port, string url) =>
        Assert.Equal(url, ClusterTool.ListenUrl(host, port));

    [Fact]
    public async Task Host_and_port_are_where_it_listens()
    {
        // A model folder that fails to load ends the run once Kestrel has bound (EmbeddingRuntime waits for the host
        // to have started before it stops it): the bound address is in the log.
        var port = FreePort.Tcp();
        using var folder = new TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "model.onnx"), "not a model", TestContext.Current.CancellationToken);
        var (exit, output, _) = await RunAsync("--model", folder.Path, "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, exit);
        Assert.Contains($"http://127.0.0.1:{port}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Batch_workers_help_names_one_default()
    {
        var command = new ClusterTool().CreateCommand();
        var option = command.Options.Single(o => o.Name == "--batch-workers");
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(option.Description!, "default"));
        Assert.Contains("number of cores", option.Description, StringComparison.Ordinal);
        Assert.False(option.HasDefaultValue, "a fixed [default: N] would repeat the description");
    }
}

/// <summary>Tests that swap Console.Out/Error run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
