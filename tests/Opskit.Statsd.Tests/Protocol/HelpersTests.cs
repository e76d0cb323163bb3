using System.Text;

namespace Opskit.Statsd.Tests.Protocol;

/// <summary>
/// Every assertion of Etsy's <c>test/helpers_tests.js</c> (is_valid_packet), expressed as the line that carries
/// those fields: fields [value, type, rate] become <c>k:value|type|rate</c>; "valid" means no bad line.
/// </summary>
public sealed class HelpersTests
{
    private static bool IsValid(string value, string? type, string? rate = null)
    {
        var line = "k:" + value + (type is null ? string.Empty : "|" + type) + (rate is null ? string.Empty : "|" + rate);
        return !RecordingSink.Parse(Encoding.UTF8.GetBytes(line)).Contains("bad", StringComparison.Ordinal);
    }

    [Fact] // helpers_tests.no_metrics_field
    public void No_metrics_field() => Assert.False(IsValid("foo", null));

    [Fact] // helpers_tests.wrong_formated_metric_value
    public void Wrong_formatted_metric_value() => Assert.False(IsValid("0,345345", "ms"));

    [Fact] // helpers_tests.wrong_formated_sampling_value
    public void Wrong_formatted_sampling_value() => Assert.False(IsValid("345345", "ms", "0,456456"));

    [Fact] // helpers_tests.counter_empty_are_invalid
    public void Counter_empty_is_invalid() => Assert.False(IsValid(string.Empty, "c"));

    [Fact] // helpers_tests.counter_deltas_scientific_are_valid
    public void Counter_scientific_delta_is_valid() => Assert.True(IsValid("+10e1", "c"));

    [Fact] // helpers_tests.counter_deltas_positive_are_valid
    public void Counter_positive_deltas_are_valid()
    {
        Assert.True(IsValid("+10", "c"));
        Assert.True(IsValid("+10e1", "c"));
    }

    [Fact] // helpers_tests.counter_deltas_negative_are_valid
    public void Counter_negative_delta_is_valid() => Assert.True(IsValid("-10", "c"));

    [Fact] // helpers_tests.times_negative_are_invalid
    public void Negative_times_are_invalid()
    {
        Assert.False(IsValid("-1", "ms"));
        Assert.False(IsValid("-1.0", "ms"));
        Assert.False(IsValid("-1", "ms"));
    }

    [Fact] // helpers_tests.times_positive_are_valid
    public void Positive_times_are_valid()
    {
        Assert.True(IsValid("+1", "ms"));
        Assert.True(IsValid("1.0", "ms"));
        Assert.True(IsValid("+1.0", "ms"));
    }

    [Fact] // helpers_tests.times_zero_are_valid
    public void Zero_times_are_valid()
    {
        Assert.True(IsValid("+0.0", "ms"));
        Assert.True(IsValid("-0.0", "ms"));
        Assert.True(IsValid("0.0", "ms"));
        Assert.True(IsValid("0", "ms"));
    }

    [Fact] // helpers_tests.gauges_empty_are_invalid
    public void Gauge_empty_is_invalid() => Assert.False(IsValid(string.Empty, "g"));

    [Fact] // helpers_tests.gauges_delta_positive_are_valid
    public void Gauge_positive_values_and_deltas_are_valid()
    {
        Assert.True(IsValid("10", "g"));
        Assert.True(IsValid("+10", "g"));
        Assert.True(IsValid("10.0", "g"));
        Assert.True(IsValid("+10.0", "g"));
    }

    [Fact] // helpers_tests.gauges_delta_negative_are_valid
    public void Gauge_negative_deltas_are_valid()
    {
        Assert.True(IsValid("-10", "g"));
        Assert.True(IsValid("-10.0", "g"));
    }

    [Fact] // helpers_tests.sets_strings_are_valid
    public void Set_strings_are_valid() => Assert.True(IsValid("foo", "s"));

    [Fact] // helpers_tests.sets_numeric_are_valid
    public void Set_numbers_are_valid() => Assert.True(IsValid("123456", "s"));

    [Fact] // helpers_tests.sampling_is_invalid
    public void Invalid_sample_rates()
    {
        Assert.False(IsValid("345345", "ms", string.Empty));
        Assert.False(IsValid("345345", "ms", "b"));
        Assert.False(IsValid("345345", "ms", "blah"));
        Assert.False(IsValid("345345", "ms", "@"));
        Assert.False(IsValid("345345", "ms", "@blah"));
        Assert.False(IsValid("345345", "ms", "@."));
        Assert.False(IsValid("345345", "ms", "@.1."));
        Assert.False(IsValid("345345", "ms", "@.1.2.3"));
        Assert.False(IsValid("345345", "ms", "@-1.0"));
    }

    [Fact] // helpers_tests.sampling_is_valid
    public void Valid_sample_rates()
    {
        Assert.True(IsValid("345345", "ms", "@2"));
        Assert.True(IsValid("345345", "ms", "@.2"));
        Assert.True(IsValid("345345", "ms", "@0.2"));
        Assert.True(IsValid("345345", "ms", "@2e-1"));
    }

    [Fact] // helpers_tests.correct_packet
    public void Correct_packet() => Assert.True(IsValid("345345", "ms", "@1.0"));

    [Fact] // helpers_tests.correct_packet_with_small_sampling
    public void Correct_packet_with_small_sampling() => Assert.True(IsValid("100", "ms", "@0.1"));

    [Fact] // helpers_tests.correct_counter_with_float
    public void Correct_counter_with_float() => Assert.True(IsValid("1.0", "c", "@0.1"));
}
