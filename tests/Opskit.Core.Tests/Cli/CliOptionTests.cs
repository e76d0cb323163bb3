using System.CommandLine;
using Opskit.Core.Cli;
using Xunit;

namespace Opskit.Core.Tests.Cli;

public sealed class CliOptionTests
{
    [Theory]
    [InlineData("auto", false, null, true)]
    [InlineData("auto", false, "", true)]
    [InlineData("auto", false, "1", false)]
    [InlineData("auto", true, null, false)]
    [InlineData(null, false, null, true)]
    [InlineData("always", true, "1", true)]
    [InlineData("never", false, null, false)]
    public void Colours_only_on_a_terminal_without_NO_COLOR_unless_told(string? choice, bool redirected, string? noColor, bool expected) =>
        Assert.Equal(expected, ColorOption.Enabled(choice, redirected, noColor));

    [Fact]
    public void Color_option_refuses_other_words_and_defaults_to_auto()
    {
        var option = ColorOption.Create();
        var command = new RootCommand { option };

        Assert.Equal("auto", command.Parse([]).GetValue(option));
        Assert.NotEmpty(command.Parse(["--color", "sometimes"]).Errors);
    }

    [Fact]
    public void Format_option_defaults_to_the_first_accepts_any_case_and_names_the_choices_on_error()
    {
        var option = FormatOption.Create("Output", "table", "json", "ndjson");
        var command = new RootCommand { option };

        Assert.Equal("table", command.Parse([]).GetValue(option));
        Assert.Equal("json", command.Parse(["--format", "JSON"]).GetValue(option));
        var error = Assert.Single(command.Parse(["--format", "xml"]).Errors);
        Assert.Equal("--format xml: not one of table, json, ndjson", error.Message);
        Assert.Equal("Output: table, json, ndjson [table].", option.Description);
    }
}
