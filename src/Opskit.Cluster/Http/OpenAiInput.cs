using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Opskit.Cluster.Http;

/// <summary>
/// The <c>input</c> of <c>POST /v1/embeddings</c> in every form OpenAI accepts: a string, an array of
/// strings, an array of token ids (one pre-tokenized input) or an array of token-id arrays. Token ids are
/// this model's vocabulary ids (as vLLM and TEI take them), used as given: no <c>[CLS]</c>/<c>[SEP]</c> is
/// added, and an array longer than the model's limit keeps its first ids.
/// </summary>
internal static class OpenAiInput
{
    private const string Field = "input";

    /// <summary>
    /// Parses <c>input</c> into either texts or token ids (exactly one is non-null unless an error is
    /// returned). Ids are checked against <paramref name="vocabularySize"/> and cut to <paramref name="maxTokens"/>.
    /// </summary>
    public static (List<string>? Texts, int[][]? Tokens) Parse(JsonElement root, int maxItems, int vocabularySize, int maxTokens, out IResult? error)
    {
        error = null;
        if (!root.TryGetProperty(Field, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            error = Problems.BadField(Field, "'input' is required");
            return (null, null);
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return Fields.Text(value, Field, out var text, out error) ? ([text], null) : (null, null);
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            error = Problems.BadField(Field, "'input' must be a string, an array of strings, an array of token ids or an array of token-id arrays");
            return (null, null);
        }

        var count = value.GetArrayLength();
        if (count == 0)
        {
            return ([], null);
        }

        switch (value[0].ValueKind)
        {
            case JsonValueKind.String:
                return (Fields.Strings(root, Field, allowSingle: false, maxItems, out error), null);
            case JsonValueKind.Number:
                var single = Ids(value, -1, vocabularySize, maxTokens, out error);
                return single is null ? (null, null) : (null, [single]);
            case JsonValueKind.Array:
                return (null, IdArrays(value, count, maxItems, vocabularySize, maxTokens, out error));
            default:
                error = Problems.BadField("input[0]", $"'input[0]' must be a string, a token id or an array of token ids, not {Describe(value[0])}");
                return (null, null);
        }
    }

    private static int[][]? IdArrays(JsonElement value, int count, int maxItems, int vocabularySize, int maxTokens, out IResult? error)
    {
        if (count > maxItems)
        {
            error = Problems.TooLarge(Field, $"'input' has {count} items; the limit is {maxItems}");
            return null;
        }

        var result = new int[count][];
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Array)
            {
                var path = ItemPath(index);
                error = Problems.BadField(path, $"'{path}' must be an array of token ids, not {Describe(item)} (an input array holds either strings or token-id arrays)");
                return null;
            }

            var ids = Ids(item, index, vocabularySize, maxTokens, out error);
            if (ids is null)
            {
                return null;
            }

            result[index++] = ids;
        }

        error = null;
        return result;
    }

    /// <summary>
    /// One pre-tokenized input: every item a vocabulary id; longer than <paramref name="maxTokens"/> keeps the
    /// first ids. <paramref name="outer"/> is its index in an array of arrays, or -1 when it is <c>input</c> itself.
    /// </summary>
    private static int[]? Ids(JsonElement array, int outer, int vocabularySize, int maxTokens, out IResult? error)
    {
        var length = array.GetArrayLength();
        if (length == 0)
        {
            var path = outer < 0 ? Field : ItemPath(outer);
            error = Problems.BadField(path, $"'{path}' is an empty token array; it needs at least one token id");
            return null;
        }

        var ids = new int[Math.Min(length, maxTokens)];
        var index = 0;
        // Every id is checked, also those cut off by truncation: a bad id is a client bug either way.
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0 || id >= vocabularySize)
            {
                var itemPath = outer < 0 ? ItemPath(index) : string.Create(CultureInfo.InvariantCulture, $"input[{outer}][{index}]");
                var range = vocabularySize == int.MaxValue
                    ? "a non-negative integer"
                    : string.Create(CultureInfo.InvariantCulture, $"an integer from 0 to {vocabularySize - 1}");
                error = Problems.BadField(itemPath, $"'{itemPath}' must be a token id ({range}), not {Describe(item)}");
                return null;
            }

            if (index < ids.Length)
            {
                ids[index] = id;
            }

            index++;
        }

        error = null;
        return ids;
    }

    private static string ItemPath(int index) => string.Create(CultureInfo.InvariantCulture, $"input[{index}]");

    private static string Describe(JsonElement item) => item.ValueKind switch
    {
        JsonValueKind.Number => item.GetRawText(),
        JsonValueKind.String => "a string",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => item.ValueKind.ToString(),
    };
}
