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

    private static WordPieceTokenizer Variant(bool lowercase, bool? stripAccents = null, params AddedToken[] extra)
    {
        var settings = TokenizerDifferentialTests.VariantModel(lowercase, stripAccents).Tokenizer;
        return WordPieceTokenizer.Create(settings with { AddedTokens = [.. settings.AddedTokens, .. extra] });
    }

    private static int[] Encode(WordPieceTokenizer tokenizer, string text)
    {
        var ids = new int[64];
        return ids[..tokenizer.Encode(text, ids)];
    }

    [Fact]
    public void Cased_tokenizer_keeps_case_and_accents()
    {
        var cased = Variant(lowercase: false);
        var uncased = Variant(lowercase: true);
        var running = cased.Settings.Vocabulary.ToList().IndexOf("Running");
        var lower = cased.Settings.Vocabulary.ToList().IndexOf("running");
        Assert.Equal(new[] { cased.ClsId, running, cased.SepId }, Encode(cased, "Running"));
        Assert.Equal(new[] { uncased.ClsId, lower, uncased.SepId }, Encode(uncased, "Running"));
        // Without lower-casing, accents stay unless strip_accents says otherwise (null follows lowercase).
        Assert.Equal(Encode(cased, "cafe"), Encode(Variant(lowercase: false, stripAccents: true), "café"));
        Assert.NotEqual(Encode(cased, "cafe"), Encode(cased, "café"));
    }

    [Fact]
    public void Single_word_token_is_not_matched_inside_a_word()
    {
        var tokenizer = Variant(lowercase: true, extra: new AddedToken(100_000, "ops", SingleWord: true, Special: false));
        Assert.Equal(100_000, Encode(tokenizer, "ops team")[1]);
        Assert.Equal(100_000, Encode(tokenizer, "(ops)")[2]);
        Assert.DoesNotContain(100_000, Encode(tokenizer, "devops team"));
        Assert.DoesNotContain(100_000, Encode(tokenizer, "ops_x"));
    }

    [Fact]
    public void Stripping_tokens_take_the_spaces_beside_them_in_their_offsets()
    {
        var tokenizer = Variant(lowercase: true);
        var ops = tokenizer.Settings.AddedTokens.Single(t => t.Content == "<ops>");
        const string text = "a  <ops>  b";
        var spans = tokenizer.EncodeWithOffsets(text, addSpecialTokens: false);
        Assert.Equal(3, spans.Count);
        Assert.Equal(new TokenSpan(ops.Id, 1, 10, false), spans[1]);
        Assert.Equal((10, 11), (spans[2].Start, spans[2].Stop));
    }

    [Fact]
    public void Normalized_added_token_matches_its_normalized_spelling()
    {
        var note = Variant(lowercase: true).Settings.AddedTokens.Single(t => t.Content == "[Note]").Id;
        Assert.Equal(note, Encode(Variant(lowercase: true), "see [NOTE]")[2]);
        Assert.Equal(note, Encode(Variant(lowercase: false), "see [Note]")[2]);
        Assert.DoesNotContain(note, Encode(Variant(lowercase: false), "see [NOTE]"));
    }

    [Fact]
    public void Word_length_limit_and_unknown_token_come_from_the_settings()
    {
        var settings = new MiniLmResources().Load().Tokenizer with { MaxInputCharsPerWord = 5 };
        var tokenizer = WordPieceTokenizer.Create(settings);
        Assert.Equal(new[] { tokenizer.ClsId, tokenizer.UnkId, tokenizer.SepId }, Encode(tokenizer, "abcdef"));
        Assert.DoesNotContain(tokenizer.UnkId, Encode(tokenizer, "abcde"));
        var error = Assert.Throws<InvalidDataException>(() => WordPieceTokenizer.Create(settings with { UnkToken = "<unk>" }));
        Assert.Contains("<unk>", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Why You Need To Dog Walking")]
    [InlineData("Café crème brûlée à la française, naïve résumé [SEP] 東京 👍🏽")]
    public void Encoding_allocates_nothing_once_warm(string text)
    {
        var ids = new int[256];
        var tokenizer = Tokenizer.Value;
        tokenizer.Encode(text, ids);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            tokenizer.Encode(text, ids);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
