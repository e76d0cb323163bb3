using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Http;

/// <summary>all-MiniLM-L6-v2 vocabulary ids of a text, with [CLS]/[SEP], as a client would send them pre-tokenized.</summary>
internal static class MiniLmTokens
{
    private static readonly Lazy<WordPieceTokenizer> Tokenizer = new(() => WordPieceTokenizer.Create(new MiniLmResources().Load().Tokenizer));

    public static int VocabularySize => Tokenizer.Value.VocabularySize;

    public static int[] Of(string text)
    {
        var ids = new int[256];
        var count = Tokenizer.Value.Encode(text, ids);
        return ids[..count];
    }
}
