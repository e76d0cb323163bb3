using BenchmarkDotNet.Attributes;
using Opskit.Cluster.Embeddings;

namespace Opskit.Benchmarks.Cluster;

/// <summary>The tokenizer runs on request threads for every sentence; it should allocate nothing.</summary>
[MemoryDiagnoser]
public class WordPieceTokenizerBenchmarks
{
    private readonly int[] _ids = new int[256];
    private WordPieceTokenizer _tokenizer = null!;

    [Params("Why You Need To Dog Walking", "Café crème brûlée à la française, naïve résumé", "supercalifragilisticexpialidocious antidisestablishmentarianism")]
    public string Text { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup() => _tokenizer = WordPieceTokenizer.Create(new MiniLmResources().Load().Tokenizer);

    [Benchmark]
    public int Encode() => _tokenizer.Encode(Text, _ids);
}
