using System.Text;
using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Tests.Parsing;

public sealed class VslLineParserTests
{
    public static TheoryData<string, long, string, char, string> NumberedRecords => new()
    {
        { "   12 RxURL        c /index.html", 12, "RxURL", 'c', "/index.html" },
        { "   12 RxHeader     c Host: www.example.com", 12, "RxHeader", 'c', "Host: www.example.com" },
        { "   12 VCL_call     c recv lookup", 12, "VCL_call", 'c', "recv lookup" },
        { "    0 CLI          - Rd ping", 0, "CLI", '-', "Rd ping" },
        { "   15 TxURL        b /api", 15, "TxURL", 'b', "/api" },
        { "   12 SessionClose c ", 12, "SessionClose", 'c', "" },
        { "   12 SessionClose c", 12, "SessionClose", 'c', "" },
        { "   12 ReqEnd       c 1 2.5 3.5 0 0 0\r", 12, "ReqEnd", 'c', "1 2.5 3.5 0 0 0" },
        { "123456 RxURL c /wide-fd", 123456, "RxURL", 'c', "/wide-fd" },
        { "         2 ReqURL         c /", 2, "ReqURL", 'c', "/" },
        { "     32770 Begin          c req 32769 rxreq", 32770, "Begin", 'c', "req 32769 rxreq" },
        { "         3 BerespProtocol b HTTP/1.0", 3, "BerespProtocol", 'b', "HTTP/1.0" },
        { "         1 Timestamp      c Start: 1.0 0.0 0.0", 1, "Timestamp", 'c', "Start: 1.0 0.0 0.0" },
        { "   12 RxURL        c /a b  c", 12, "RxURL", 'c', "/a b  c" },
    };

    [Theory]
    [MemberData(nameof(NumberedRecords))]
    public void Numbered_record_is_sliced_into_id_tag_type_and_data(string text, long id, string tag, char type, string data)
    {
        var line = VslLineParser.ParseNumbered(Encoding.UTF8.GetBytes(text));
        Assert.Equal(VslLineKind.Record, line.Kind);
        Assert.Equal(id, line.Id);
        Assert.Equal(tag, Encoding.UTF8.GetString(line.Name));
        Assert.Equal((byte)type, line.Type);
        Assert.Equal(data, Encoding.UTF8.GetString(line.Data));
    }

    [Theory]
    [InlineData("", VslLineKind.Blank)]
    [InlineData("     ", VslLineKind.Blank)]
    [InlineData("\r", VslLineKind.Blank)]
    [InlineData("hello world", VslLineKind.Malformed)]
    [InlineData("   12", VslLineKind.Malformed)]
    [InlineData("   12 RxURL", VslLineKind.Malformed)]
    [InlineData("   12 RxURL        ", VslLineKind.Malformed)]
    [InlineData("   12 RxURL        cc /x", VslLineKind.Malformed)]
    [InlineData("   -5 RxURL        c /x", VslLineKind.Malformed)]
    [InlineData("12RxURL c /x", VslLineKind.Malformed)]
    [InlineData("   12 Rx-URL       c /x", VslLineKind.Malformed)]
    [InlineData("1234567890123456789012 RxURL c /x", VslLineKind.Malformed)]
    [InlineData("   18 RxHea", VslLineKind.Malformed)]
    public void Numbered_line_that_is_not_a_record_is_blank_or_malformed(string text, VslLineKind kind) =>
        Assert.Equal(kind, VslLineParser.ParseNumbered(Encoding.UTF8.GetBytes(text)).Kind);

    public static TheoryData<string, VslLineKind, int, long, string, string> GroupedLines => new()
    {
        { "*   << Request  >> 2         ", VslLineKind.GroupHeader, 1, 2, "Request", "" },
        { "**  << BeReq    >> 3", VslLineKind.GroupHeader, 2, 3, "BeReq", "" },
        { "*   << Session  >> 32769", VslLineKind.GroupHeader, 1, 32769, "Session", "" },
        { "-   ReqURL         /", VslLineKind.Record, 1, 0, "ReqURL", "/" },
        { "--  BerespProtocol HTTP/1.0", VslLineKind.Record, 2, 0, "BerespProtocol", "HTTP/1.0" },
        { "-   Filters        ", VslLineKind.Record, 1, 0, "Filters", "" },
        { "-   End", VslLineKind.Record, 1, 0, "End", "" },
        { "--- ReqHeader      Host: x", VslLineKind.Record, 3, 0, "ReqHeader", "Host: x" },
        { "-   RespHeader     Via: 1.1 varnish (Varnish/7.1)", VslLineKind.Record, 1, 0, "RespHeader", "Via: 1.1 varnish (Varnish/7.1)" },
        { "", VslLineKind.Blank, 0, 0, "", "" },
        { "*   << Request  >>", VslLineKind.Malformed, 0, 0, "", "" },
        { "*   << Request  >> 2x", VslLineKind.Malformed, 0, 0, "", "" },
        { "*   Request 2", VslLineKind.Malformed, 0, 0, "", "" },
        { "-", VslLineKind.Malformed, 0, 0, "", "" },
        { "-ReqURL /", VslLineKind.Malformed, 0, 0, "", "" },
        { "-   Req-URL /", VslLineKind.Malformed, 0, 0, "", "" },
        { "x   ReqURL /", VslLineKind.Malformed, 0, 0, "", "" },
    };

    [Theory]
    [MemberData(nameof(GroupedLines))]
    public void Grouped_line_is_a_header_a_record_a_blank_or_malformed(string text, VslLineKind kind, int level, long id, string name, string data)
    {
        var line = VslLineParser.ParseGrouped(Encoding.UTF8.GetBytes(text));
        Assert.Equal(kind, line.Kind);
        if (kind is VslLineKind.GroupHeader or VslLineKind.Record)
        {
            Assert.Equal(level, line.Level);
            Assert.Equal(id, line.Id);
            Assert.Equal(name, Encoding.UTF8.GetString(line.Name));
            Assert.Equal(data, Encoding.UTF8.GetString(line.Data));
        }
    }

    [Theory]
    [InlineData("   12 SessionOpen  c 10.0.0.1 50001 :80", LogFormat.Legacy)]
    [InlineData("   12 RxURL        c /", LogFormat.Legacy)]
    [InlineData("   12 ReqStart     c 10.0.0.1 50001 1001", LogFormat.Legacy)]
    [InlineData("   12 VCL_call     c recv lookup", LogFormat.Legacy)]
    [InlineData("         2 ReqStart       c 127.0.0.1 45720 a0", LogFormat.Raw)]
    [InlineData("         1 Begin          c sess 0 HTTP/1", LogFormat.Raw)]
    [InlineData("123 Begin c req 1 rxreq", LogFormat.Raw)]
    [InlineData("*   << Request  >> 2", LogFormat.Grouped)]
    [InlineData("-   Begin          req 1 rxreq", LogFormat.Grouped)]
    [InlineData("    0 CLI          - Rd ping", LogFormat.Unknown)]
    [InlineData("         0 CLI            - Rd ping", LogFormat.Unknown)]
    [InlineData("", LogFormat.Unknown)]
    [InlineData("garbage", LogFormat.Unknown)]
    [InlineData("*   garbage", LogFormat.Unknown)]
    public void Format_is_detected_from_a_decisive_line(string text, LogFormat format) =>
        Assert.Equal(format, VslLineParser.Detect(Encoding.UTF8.GetBytes(text)));

    [Theory]
    [InlineData("1001 1.5 2.5 0 0.25 0", 0, "1001")]
    [InlineData("1001 1.5 2.5 0 0.25 0", 4, "0.25")]
    [InlineData("1001 1.5 2.5 0 0.25 0", 6, "")]
    [InlineData("  a   b ", 1, "b")]
    [InlineData("", 0, "")]
    public void Field_counts_whitespace_separated_words(string data, int index, string expected) =>
        Assert.Equal(expected, Encoding.UTF8.GetString(VslLineParser.Field(Encoding.UTF8.GetBytes(data), index)));
}
