using Opskit.Edge.Configuration;

namespace Opskit.Edge.Tests.CommandLine;

/// <summary>Issue #20: validation messages are in the tool's words, not .NET's exception wording.</summary>
public sealed class ValidationMessageTests
{
    [Fact]
    public void A_bad_table_name_names_the_key_without_parameter_wording()
    {
        var options = new EdgeOptions();
        options.Policies["news"] = new RoutePolicyOptions { Gate = new GateOptions { Database = "/tmp/p.db", Table = "user profiles" } };

        var error = Assert.Single(EdgeOptionsValidation.Errors(options));

        Assert.StartsWith("Edge:Policies:news:Gate:Table 'user profiles' is not a plain SQL identifier", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }
}
