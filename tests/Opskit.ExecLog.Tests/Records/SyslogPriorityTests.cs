using Opskit.ExecLog.Records;

namespace Opskit.ExecLog.Tests.Records;

public sealed class SyslogPriorityTests
{
    [Theory]
    [InlineData("auth.info", 38)]
    [InlineData("AUTHPRIV.notice", 85)]
    [InlineData("local7.debug", 191)]
    [InlineData("kern.emerg", 0)]
    [InlineData("daemon.warn", 28)]
    [InlineData("user.error", 11)]
    public void Parses_facility_and_level(string text, int pri)
    {
        Assert.True(SyslogPriority.TryParse(text, out var priority));
        Assert.Equal(pri, priority.Value);
    }

    [Theory]
    [InlineData("auth")]
    [InlineData(".info")]
    [InlineData("nope.info")]
    [InlineData("auth.loud")]
    public void Rejects_anything_else(string text) => Assert.False(SyslogPriority.TryParse(text, out _));
}
