using Microsoft.Extensions.Configuration;

namespace Opskit.Edge.Tests.Support;

/// <summary>In-memory settings a test changes while the proxy runs: each change is a configuration reload.</summary>
internal sealed class ReloadableSettings(Dictionary<string, string?> initial) : ConfigurationProvider, IConfigurationSource
{
    public override void Load() => Data = new Dictionary<string, string?>(initial, StringComparer.OrdinalIgnoreCase);

    public void Change(string key, string? value)
    {
        Data[key] = value;
        OnReload();
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;
}
