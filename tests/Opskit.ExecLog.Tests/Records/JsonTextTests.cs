using System.Text;
using System.Text.Json;
using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Tests.Records;

public sealed class JsonTextTests
{
    [Fact]
    public void Every_character_below_0x80_and_the_line_separators_round_trip_through_a_json_parser()
    {
        var all = new StringBuilder();
        for (var c = 0; c < 0x80; c++)
        {
            all.Append((char)c);
        }

        all.Append("\u2028\u2029é\uFFFD😀");
        var json = JsonText.String(new StringBuilder(), all.ToString()).ToString();

        Assert.DoesNotContain(json, c => c < 0x20 || c is '\u2028' or '\u2029');
        Assert.Equal(all.ToString(), JsonSerializer.Deserialize<string>(json));
    }

    [Fact]
    public void Members_get_commas_between_them()
    {
        var json = new StringBuilder("{");
        JsonText.Number(JsonText.Name(json, "a"), 1);
        JsonText.String(JsonText.Name(json, "b"), null);
        JsonText.Seconds(JsonText.Name(json, "c"), 0.0000004);
        JsonText.Name(json, "d").Append('[');
        json.Append("]}");

        Assert.Equal("{\"a\":1,\"b\":null,\"c\":0,\"d\":[]}", json.ToString());
    }
}
