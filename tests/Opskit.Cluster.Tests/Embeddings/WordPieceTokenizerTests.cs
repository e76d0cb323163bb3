using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

public sealed class WordPieceTokenizerTests
{
    private static readonly Lazy<WordPieceTokenizer> Tokenizer = new(() => WordPieceTokenizer.Create(new MiniLmResources().Load().Tokenizer));

    private static int[] Encode(string text, int max = 256)
    {
        var ids = new int[max];
        var count = Tokenizer.Value.Encode(text, ids);
        return ids[..count];
    }

    [Fact]
    public void Vocabulary_with_crlf_line_endings_keeps_line_numbers_as_ids()
    {
        var tokenizer = WordPieceTokenizer.FromVocabulary("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\nhello\r\n##s\r\n");
        Assert.Equal(2, tokenizer.ClsId);
        Assert.Equal(3, tokenizer.SepId);
        var ids = new int[8];
        var count = tokenizer.Encode("Hellos", ids);
        Assert.Equal(new[] { 2, 4, 5, 3 }, ids[..count]);
    }

    [Fact]
    public void Empty_text_is_cls_and_sep_only()
    {
        Assert.Equal(new[] { Tokenizer.Value.ClsId, Tokenizer.Value.SepId }, Encode("   \t "));
    }

    [Fact]
    public void Word_over_100_characters_is_one_unknown_token()
    {
        var ids = Encode(new string('a', 101) + " dog");
        Assert.Equal(4, ids.Length);
        Assert.Equal(Tokenizer.Value.UnkId, ids[1]);
    }

    [Fact]
    public void Word_of_exactly_100_characters_is_split_into_pieces()
    {
        var ids = Encode(new string('a', 100));
        Assert.True(ids.Length > 3);
        Assert.DoesNotContain(Tokenizer.Value.UnkId, ids);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(256)]
    public void Truncation_keeps_cls_and_sep_within_the_limit(int max)
    {
        var text = string.Join(' ', Enumerable.Repeat("the quick brown fox", 200));
        var ids = Encode(text, max);
        Assert.Equal(max, ids.Length);
        Assert.Equal(Tokenizer.Value.ClsId, ids[0]);
        Assert.Equal(Tokenizer.Value.SepId, ids[^1]);
    }

    [Fact]
    public void Control_characters_vanish_and_accents_fold()
    {
        Assert.Equal(Encode("resume"), Encode("r\u0000ésumé\u200B"));
    }

    [Fact]
    public void Hangul_syllables_decompose_like_nfd()
    {
        // NFD turns 한 (U+D55C) into the jamo U+1112 U+1161 U+11AB, as the reference tokenizers see it.
        Assert.Equal(Encode("\u1112\u1161\u11AB"), Encode("\uD55C"));
    }
}
