using System.Globalization;
using System.Text;
using System.Text.Json;
using Opskit.Cluster.Embeddings;
using Opskit.Testing;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>
/// Issue #17: the tokenizer against the reference (transformers.js AutoTokenizer on the model's tokenizer.json) over
/// 100,000 seeded generated strings, in one node process. A failure prints the shortest differing input.
/// </summary>
public sealed class TokenizerDifferentialTests
{
    private const int Seed = 17;
    private const int Count = 100_000;
    private const int MaxTokens = 256;

    [Fact]
    public async Task Token_ids_equal_the_reference_on_100000_generated_strings()
    {
        // The folder is written by the one model-folder writer and read back, so this tests the tokenizer that
        // opskit derives from tokenizer.json, on the tokenizer.json transformers.js runs.
        using var folder = new TempDirectory();
        var model = Path.Combine(folder.Path, "all-MiniLM-L6-v2");
        ModelFolderWriter.Write(model, new MiniLmResources().Load(), MiniLmResources.Architecture(), includeOnnx: false);
        await AssertSameIdsAsReferenceAsync(model, Generate(new Random(Seed), Count), minimumTruncated: 100);
    }

    /// <summary>
    /// A cased tokenizer.json (lowercase false, so accents are kept too) over a vocabulary with capitalised words, plus
    /// added tokens with lstrip/rstrip and one matched in the normalized text: the flags are honoured as the reference does.
    /// </summary>
    [Theory]
    [InlineData(false, null)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Token_ids_equal_the_reference_for_other_normalizer_flags(bool lowercase, bool? stripAccents)
    {
        using var folder = new TempDirectory();
        var model = Path.Combine(folder.Path, "variant");
        ModelFolderWriter.Write(model, VariantModel(lowercase, stripAccents), MiniLmResources.Architecture(), includeOnnx: false);
        await AssertSameIdsAsReferenceAsync(model, Generate(new Random(Seed + 1), 15_000), minimumTruncated: 10);
    }

    /// <summary>The bundled model with its tokenizer changed: capitalised copies of every plain word appended to the vocabulary, and three more added tokens.</summary>
    internal static ModelFiles VariantModel(bool lowercase, bool? stripAccents)
    {
        var bundled = new MiniLmResources().Load();
        var vocabulary = bundled.Tokenizer.Vocabulary.ToList();
        foreach (var token in bundled.Tokenizer.Vocabulary)
        {
            if (token.Length > 1 && token.All(c => c is >= 'a' and <= 'z'))
            {
                vocabulary.Add(char.ToUpperInvariant(token[0]) + token[1..]);
            }
        }

        vocabulary.AddRange(["É", "##É", "Ω", "İ"]);
        var added = bundled.Tokenizer.AddedTokens.ToList();
        added.Add(new AddedToken(vocabulary.Count, "<ops>", Lstrip: true, Rstrip: true, Special: false));
        added.Add(new AddedToken(vocabulary.Count + 1, "[Note]", Normalized: true, Special: false));
        added.Add(new AddedToken(vocabulary.Count + 2, "{{x}}", Rstrip: true));
        return bundled with
        {
            Tokenizer = bundled.Tokenizer with { Vocabulary = vocabulary, Lowercase = lowercase, StripAccents = stripAccents, AddedTokens = added },
        };
    }

    /// <summary>
    /// Runs transformers.js on <paramref name="model"/>'s tokenizer.json and opskit's tokenizer as read from the same
    /// folder over <paramref name="texts"/>; fails with the shortest differing input.
    /// </summary>
    private static async Task AssertSameIdsAsReferenceAsync(string model, string[] texts, int minimumTruncated)
    {
        var node = ExternalProgram.Require("node", "apt: nodejs");
        if (!Directory.Exists(Path.Combine(RepoPaths.NodeModules, "@huggingface", "transformers")))
        {
            ExternalProgram.Require("@huggingface/transformers", "npm: @huggingface/transformers (tests/npm-packages.txt)", Path.Combine(RepoPaths.NodeModules, "@huggingface"));
        }

        var folder = Path.GetDirectoryName(model)!;
        var input = Path.Combine(folder, "texts.json");
        var output = Path.Combine(folder, "ids.json");
        await File.WriteAllTextAsync(input, JsonSerializer.Serialize(texts), TestContext.Current.CancellationToken);
        var script = Path.Combine(AppContext.BaseDirectory, "Embeddings", "reference-tokenizer.cjs");
        // The reference tokenizes 100,000 strings in 30-80 s of CPU; on a loaded 2-core machine (load average 30-40)
        // it once took over 4 minutes, so the limit is only there to end a hung process.
        await ProgramRun.CheckedAsync(node, [script, model, input, output], TimeSpan.FromMinutes(15),
            new Dictionary<string, string> { ["OPSKIT_NODE_MODULES"] = RepoPaths.NodeModules });
        var reference = JsonSerializer.Deserialize<int[][]>(await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken))!;
        Assert.Equal(texts.Length, reference.Length);

        var (settings, limits, _) = ModelDirectory.ReadSettings(model);
        var tokenizer = WordPieceTokenizer.Create(settings);
        var maxTokens = limits.Resolve();
        Assert.Equal(MaxTokens, maxTokens);
        var differing = new List<(string Text, int[] Expected, int[] Actual)>();
        var truncated = 0;
        for (var i = 0; i < texts.Length; i++)
        {
            // A character can give several tokens (a Hangul syllable decomposes into up to three jamo).
            var whole = new int[(texts[i].Length * 4) + 8];
            var actual = whole[..tokenizer.Encode(texts[i], whole)];
            if (!actual.AsSpan().SequenceEqual(reference[i]))
            {
                differing.Add((texts[i], reference[i], actual));
                continue;
            }

            // Truncated as sentence-transformers does: the first 255 ids and [SEP].
            if (reference[i].Length > maxTokens)
            {
                truncated++;
                int[] expected = [.. reference[i][..(maxTokens - 1)], reference[i][^1]];
                var cut = new int[maxTokens];
                var written = tokenizer.Encode(texts[i], cut);
                if (!cut.AsSpan(0, written).SequenceEqual(expected))
                {
                    differing.Add((texts[i], expected, cut[..written]));
                }
            }
        }

        if (differing.Count > 0)
        {
            if (Environment.GetEnvironmentVariable("OPSKIT_TOKENIZER_DIFF") is { } dump)
            {
                await File.WriteAllLinesAsync(dump, differing.Select(d => JsonSerializer.Serialize(new { text = d.Text, reference = d.Expected, opskit = d.Actual })), TestContext.Current.CancellationToken);
            }

            var shortest = differing.MinBy(d => d.Text.Length);
            Assert.Fail($"{differing.Count} of {texts.Length} inputs differ from the reference ({Path.GetFileName(model)}); the shortest: " +
                $"\"{Escape(shortest.Text)}\"\n  reference: [{string.Join(", ", shortest.Expected)}]\n  opskit:    [{string.Join(", ", shortest.Actual)}]" +
                $"\n  more: {string.Join("\n  ", differing.OrderBy(d => d.Text.Length).Skip(1).Take(12).Select(d => $"\"{Escape(d.Text)}\" ref [{string.Join(",", d.Expected)}] ours [{string.Join(",", d.Actual)}]"))}");
        }

        Assert.True(truncated >= minimumTruncated, $"only {truncated} inputs were long enough to truncate");
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            builder.Append(rune.Value is >= 0x20 and < 0x7F ? rune.ToString() : string.Create(CultureInfo.InvariantCulture, $"\\u{{{rune.Value:X4}}}"));
        }

        return builder.ToString();
    }

    /// <summary>Every whitespace code point of Unicode and those BERT treats as whitespace.</summary>
    private static readonly int[] Whitespace =
        [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B, 0xFEFF];

    /// <summary>Control and format characters: C0, C1, ZWJ, ZWNJ, BOM, soft hyphen, bidi marks, variation selectors, tags.</summary>
    private static readonly int[] ControlAndFormat =
        [0x00, 0x01, 0x07, 0x1B, 0x1F, 0x7F, 0x80, 0x9F, 0xAD, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202E, 0x2060, 0x2066, 0xFE0F, 0xFE00, 0xFEFF, 0xFFF9, 0xE0001, 0xE0041, 0x061C, 0x180B];

    private static readonly string[] Emoji =
        ["👍", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷", "1️⃣", "🧑🏿‍💻", "❤️", "🚀", "😀", "👩🏻‍🦰", "✌🏾"];

    private static readonly string[] Specials = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]", "[cls]", "[ SEP ]", "[MASK", "SEP]", "[[SEP]]", "<ops>", " <ops> ", "[Note]", "[NOTE]", "{{x}}", "{{x}} "];

    private static readonly string[] Words =
        ["the", "cat", "Running", "UNAFFABLE", "naïve", "Café", "straße", "ﬁle", "Ωμέγα", "Москва", "東京", "한국어", "カタカナ", "ひらがな", "हिन्दी", "ไทย", "عربى", "עברית", "x", "a1b2", "don't", "e-mail", "U.S.A.", "ǅemal", "İstanbul", "ﬀ", "Å", "ŉ", "ΐ"];

    /// <summary>Code point ranges sampled uniformly: every plane-0 block, the supplementary planes in use, private use.</summary>
    private static int AnyCodePoint(Random random)
    {
        while (true)
        {
            var value = random.Next(4) switch
            {
                0 => random.Next(0x20, 0x250),
                1 => random.Next(0x250, 0x3000),
                2 => random.Next(0x3000, 0x10000),
                _ => random.Next(0x10000, 0x32000) | (random.Next(8) == 0 ? 0xE0000 : 0),
            };
            // Ideographs outside the BMP are left out: transformers.js walks the text by UTF-16 code unit when it
            // spaces out CJK ideographs, so it never sees one there, while the Rust tokenizers that
            // sentence-transformers runs (and opskit) do (docs/cluster.md, "Tokenizer").
            // Code points .NET's Unicode data does not know yet are left out too: node's ICU is newer (it knows the
            // combining marks U+1AD0-U+1AEB, Unicode 17, as Mn and strips them), the Rust tokenizers' tables older.
            if (value is < 0xD800 or > 0xDFFF && value <= 0x10FFFF && value is not (>= 0x20000 and <= 0x2FA1F)
                && CharUnicodeInfo.GetUnicodeCategory(value) != UnicodeCategory.OtherNotAssigned)
            {
                return value;
            }
        }
    }

    private static string Word(Random random, int length)
    {
        var builder = new StringBuilder();
        while (builder.Length < length)
        {
            builder.Append(random.Next(5) switch
            {
                0 => "é",
                1 => char.ConvertFromUtf32(0x300 + random.Next(0x70)) is var mark ? "e" + mark : "e",
                _ => ((char)('a' + random.Next(26))).ToString(),
            });
        }

        return builder.ToString()[..length];
    }

    /// <summary>Strings of every kind the issue lists, mixed; the same list for the same seed.</summary>
    internal static string[] Generate(Random random, int count)
    {
        var texts = new string[count];
        var builder = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            builder.Clear();
            var kind = i % 10;
            if (kind == 9 && i % 100 == 9)
            {
                // Long enough to truncate at 256 tokens, often inside a word of several pieces.
                while (builder.Length < 1100)
                {
                    builder.Append(random.Next(3) == 0 ? "unaffable" : Words[random.Next(Words.Length)]).Append(' ');
                }
            }
            else if (kind == 8)
            {
                // Words of 99, 100 and 101 code points (one of them with a character outside the BMP).
                var length = 99 + random.Next(3);
                builder.Append(Word(random, length));
                if (random.Next(3) == 0)
                {
                    builder.Append(' ').Append(new string('b', length - 1)).Append("😀");
                }
            }
            else
            {
                var parts = 1 + random.Next(8);
                for (var p = 0; p < parts; p++)
                {
                    switch (random.Next(9))
                    {
                        case 0:
                            for (var c = random.Next(1, 6); c > 0; c--)
                            {
                                builder.Append(char.ConvertFromUtf32(AnyCodePoint(random)));
                            }

                            break;
                        case 1:
                            builder.Append(char.ConvertFromUtf32(Whitespace[random.Next(Whitespace.Length)]));
                            break;
                        case 2:
                            builder.Append(char.ConvertFromUtf32(ControlAndFormat[random.Next(ControlAndFormat.Length)]));
                            break;
                        case 3:
                            builder.Append(Emoji[random.Next(Emoji.Length)]);
                            break;
                        case 4:
                            builder.Append(Specials[random.Next(Specials.Length)]);
                            break;
                        case 5:
                            builder.Append(char.ConvertFromUtf32(0x300 + random.Next(0x70)));
                            break;
                        default:
                            builder.Append(Words[random.Next(Words.Length)]);
                            break;
                    }

                    if (random.Next(2) == 0)
                    {
                        builder.Append(' ');
                    }
                }
            }

            texts[i] = builder.ToString();
        }

        return texts;
    }
}
