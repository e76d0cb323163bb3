using System.Text;
using Microsoft.Extensions.Time.Testing;
using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Tests.Support;

/// <summary>Runs the assembler over text and keeps an immutable copy of every request.</summary>
internal sealed class LogRun : IRequestSink
{
    public LogRun(AssemblerOptions? options = null, TimeProvider? time = null)
    {
        Assembler = new TransactionAssembler(options ?? new AssemblerOptions(), time ?? new FakeTimeProvider(), this);
        Splitter = new LineSplitter(Assembler);
    }

    public TransactionAssembler Assembler { get; }

    public LineSplitter Splitter { get; }

    public List<RequestEntry> Requests { get; } = [];

    public void OnRequest(RequestRecord record) => Requests.Add(RequestEntry.From(record));

    /// <summary>Feeds <paramref name="bytes"/> in one chunk and completes.</summary>
    public static LogRun Of(byte[] bytes, AssemblerOptions? options = null)
    {
        var run = new LogRun(options);
        run.Splitter.Feed(bytes);
        run.Splitter.Complete();
        return run;
    }

    public static LogRun Of(string text, AssemblerOptions? options = null) => Of(Encoding.UTF8.GetBytes(text), options);

    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));
}
