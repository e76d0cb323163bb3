using System.Text;
using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Tests.Records;

public sealed class ShellQuoteTests
{
    [Theory]
    [InlineData("/usr/lib/nagios/plugins/check_disk", "/usr/lib/nagios/plugins/check_disk")]
    [InlineData("-w", "-w")]
    [InlineData("10%", "10%")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("$HOME", "'$HOME'")]
    [InlineData("a;rm -rf /", "'a;rm -rf /'")]
    [InlineData("it's", "$'it\\'s'")]
    [InlineData("tab\there", "$'tab\\there'")]
    [InlineData("back\\slash", "'back\\slash'")]
    [InlineData("back\\slash\n", "$'back\\\\slash\\n'")]
    [InlineData("bell\u0007", "$'bell\\x07'")]
    [InlineData("del\u007f", "$'del\\x7f'")]
    [InlineData("nel\u0085", "$'nel\\u0085'")]
    [InlineData("ls\u2028x", "$'ls\\u2028x'")]
    [InlineData("rtl\u202eevil", "$'rtl\\u202eevil'")]
    [InlineData("café", "'café'")]
    public void Words_are_bash_safe_and_control_free(string argument, string expected)
    {
        var word = ShellQuote.Word(Encoding.UTF8.GetBytes(argument));

        Assert.Equal(expected, word);
        Assert.DoesNotContain(word, c => c < 0x20 || c == 0x7f || c is >= '\u0080' and < '\u00a0');
    }

    [Fact]
    public void Invalid_utf8_keeps_each_byte_as_an_escape()
    {
        Assert.Equal("$'a\\xff\\xc3b'", ShellQuote.Word([(byte)'a', 0xff, 0xc3, (byte)'b']));
        Assert.Equal("$'\\xed\\xa0\\x80'", ShellQuote.Word([0xed, 0xa0, 0x80])); // an encoded surrogate is not UTF-8
    }

    [Fact]
    public void Escaped_text_doubles_backslashes_and_keeps_quotes()
    {
        Assert.Equal("OK 'x' \\\\n\\n", ShellQuote.Escaped("OK 'x' \\n\n"u8));
    }

    [Fact]
    public void Random_bytes_never_produce_a_control_character()
    {
        var random = new Random(42);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 40)];
            random.NextBytes(bytes);
            var word = ShellQuote.Word(bytes);
            Assert.DoesNotContain(word, c => c < 0x20 || c == 0x7f || c is >= '\u0080' and < '\u00a0' or '\u2028' or '\u2029');
        }
    }
}
