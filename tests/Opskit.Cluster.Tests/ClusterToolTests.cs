namespace Opskit.Cluster.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class ClusterToolTests
{
    [Theory]
    [InlineData("--max-body-bytes", "0")]
    [InlineData("--max-sentences", "-1")]
    [InlineData("--intra-op-threads", "0")]
    [InlineData("--token-budget", "10")]
    public async Task Bad_option_exits_with_2_before_serving(string option, string value)
    {
        var command = new ClusterTool().CreateCommand();
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var exit = await command.Parse([option, value, "--urls", "http://127.0.0.1:1"]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);
            Assert.Equal(2, exit);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Contains(option, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_match_the_documented_values()
    {
        var options = new ClusterOptions();
        options.Validate();
        Assert.Equal("http://127.0.0.1:8000", options.Urls);
        Assert.Equal(2 * 1024 * 1024, options.MaxBodyBytes);
        Assert.Equal(4096, options.MaxSentences);
        Assert.Null(options.Model.MaxTokens);
        Assert.Equal(256, Opskit.Cluster.Embeddings.MiniLmResources.Limits.Resolve());
        Assert.False(options.Model.AllowSpinning);
        Assert.Equal(16, options.Batching.MaxBatchSize);
        Assert.Equal(Environment.ProcessorCount, options.Batching.Workers);
        Assert.Equal(1, options.Model.IntraOpThreads);
        Assert.Equal(8192, options.Batching.TokenBudget);
        Assert.Equal(TimeSpan.Zero, options.Batching.MaxWait);
    }

    [Fact]
    public async Task Model_that_cannot_load_makes_the_command_exit_1()
    {
        // The files are there (so the up-front check passes) but are not a model: loading fails after start.
        using var folder = new Opskit.Testing.TempDirectory();
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n", TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(folder.Path, "model.onnx"), "not a model", TestContext.Current.CancellationToken);
        var port = Opskit.Testing.FreePort.Tcp();
        var command = new ClusterTool().CreateCommand();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(1));
        var exit = await command.Parse(["--model", folder.Path, "--urls", $"http://127.0.0.1:{port}"]).InvokeAsync(cancellationToken: timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "the service kept running without a model");
        Assert.Equal(1, exit);
    }
}
