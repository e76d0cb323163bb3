using Microsoft.Extensions.Configuration;

namespace Opskit.Edge.Proxy;

/// <summary>
/// <c>Edge:Listen</c> and <c>Edge:AdminListen</c> as Kestrel endpoint configuration (<c>Endpoints:&lt;name&gt;:Url</c>),
/// which Kestrel rebinds on change (issue #18): endpoints that stay keep their connections and requests, removed ones
/// stop taking connections and get Kestrel's 5 s to finish the requests in flight, new ones are bound. Fed only with
/// validated options (by <see cref="EdgeRuntime"/>), so a rejected reload changes no listener.
/// </summary>
internal sealed class ListenEndpoints : ConfigurationProvider, IConfigurationSource
{
    private readonly Lock _lock = new();

    public ListenEndpoints(string listen, string adminListen) => Data = Build(listen, adminListen);

    /// <summary>The endpoints as Kestrel reads them.</summary>
    public IConfigurationRoot Configuration => new ConfigurationRoot([this]);

    /// <summary>Applies new addresses; Kestrel rebinds when they differ from the current ones.</summary>
    public void Apply(string listen, string adminListen)
    {
        var next = Build(listen, adminListen);
        lock (_lock)
        {
            if (next.Count == Data.Count && next.All(e => Data.TryGetValue(e.Key, out var v) && v == e.Value))
            {
                return;
            }

            Data = next;
        }

        OnReload();
    }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Endpoint names are the URLs themselves, so an address that stays keeps its name and its listener.</summary>
    private static Dictionary<string, string?> Build(string listen, string adminListen)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var url in listen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            data[$"Endpoints:{Name(url)}:Url"] = url;
        }

        if (adminListen.Length > 0)
        {
            data[$"Endpoints:{Name(adminListen)}:Url"] = adminListen;
        }

        return data;
    }

    // ':' separates configuration keys; the name only has to be stable per URL.
    private static string Name(string url) => url.Replace(':', '_').Replace('/', '_');

    /// <summary>The admin listener's port (0 when off).</summary>
    public static int AdminPort(string adminListen) => adminListen.Length > 0 ? new Uri(adminListen).Port : 0;
}
