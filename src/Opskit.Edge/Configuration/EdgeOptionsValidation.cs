using System.Net;

namespace Opskit.Edge.Configuration;

/// <summary>Checks an <see cref="EdgeOptions"/> and names the offending key, so a bad file fails fast at start or reload.</summary>
internal static class EdgeOptionsValidation
{
    /// <summary>Validates the <c>Edge</c> section of a whole configuration (used before a file reload is applied).</summary>
    public static IReadOnlyList<string> Errors(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        try
        {
            var options = new EdgeOptions();
            Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(configuration.GetSection(EdgeOptions.Section), options);
            return Errors(options);
        }
        catch (InvalidOperationException ex)
        {
            return [$"Edge: {ex.Message}"];
        }
    }

    public static IReadOnlyList<string> Errors(EdgeOptions options)
    {
        var errors = new List<string>();
        if (options.Cache.SizeLimitMegabytes <= 0)
        {
            errors.Add("Edge:Cache:SizeLimitMegabytes must be positive");
        }

        if (options.Cache.MaxObjectKilobytes <= 0)
        {
            errors.Add("Edge:Cache:MaxObjectKilobytes must be positive");
        }

        if (options.Cache.DefaultTtlSeconds < 0 || options.Cache.DefaultGraceSeconds < 0 || options.Cache.DefaultKeepSeconds < 0)
        {
            errors.Add("Edge:Cache: TTL, grace and keep must not be negative");
        }

        if (options.Upstream.ConnectTimeoutSeconds <= 0 || options.Upstream.FirstByteTimeoutSeconds <= 0)
        {
            errors.Add("Edge:Upstream: timeouts must be positive");
        }

        foreach (var field in options.Cache.TargetedFields ?? [])
        {
            if (field.Length > 0 && !IsToken(field))
            {
                errors.Add($"Edge:Cache:TargetedFields: '{field}' is not a header field name");
            }
        }

        // Kestrel rebinds these on reload: a URL it cannot parse must be refused here, before it gets there.
        var listen = options.Listen.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (listen.Length == 0)
        {
            errors.Add("Edge:Listen: at least one URL, e.g. http://127.0.0.1:8080");
        }

        foreach (var url in listen)
        {
            var host = url.Replace("://*:", "://localhost:", StringComparison.Ordinal).Replace("://+:", "://localhost:", StringComparison.Ordinal);
            if (!Uri.TryCreate(host, UriKind.Absolute, out var parsed) || parsed.Scheme != Uri.UriSchemeHttp)
            {
                errors.Add($"Edge:Listen: '{url}' must be an http URL, e.g. http://127.0.0.1:8080");
            }
        }

        if (options.AdminListen.Length > 0
            && (!Uri.TryCreate(options.AdminListen, UriKind.Absolute, out var admin) || admin.Port <= 0 || admin.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"Edge:AdminListen: '{options.AdminListen}' must be an http URL with a port, e.g. http://127.0.0.1:8081");
        }

        foreach (var cidr in options.EffectivePurgeAcl)
        {
            if (!IPNetwork.TryParse(cidr, out _))
            {
                errors.Add($"Edge:PurgeAcl: '{cidr}' is not a CIDR block (e.g. 10.0.0.0/8)");
            }
        }

        foreach (var (route, policy) in options.Policies)
        {
            if (policy.Gate is not { } gate)
            {
                continue;
            }

            var key = $"Edge:Policies:{route}:Gate";
            if (string.IsNullOrWhiteSpace(gate.Database))
            {
                errors.Add($"{key}:Database is required");
            }

            if (gate.RolloutPercentage is < 0 or > 100 || decimal.Round(gate.RolloutPercentage, 2) != gate.RolloutPercentage)
            {
                errors.Add($"{key}:RolloutPercentage must be 0–100 with at most two decimals");
            }

            if (string.IsNullOrWhiteSpace(gate.Cookie) || gate.MaxCookieLength is < 1 or > 4096)
            {
                errors.Add($"{key}: Cookie must be set and MaxCookieLength within 1–4096");
            }

            if (new Profiles.ProfileTableSchema(gate.Table, gate.Column, gate.FlagColumn).Error() is { } schemaError)
            {
                errors.Add($"{key}:{schemaError}");
            }
        }

        foreach (var (cluster, probe) in options.Probes)
        {
            var key = $"Edge:Probes:{cluster}";
            if (probe.Window is < 1 or > 64 || probe.Threshold < 1 || probe.Threshold > probe.Window)
            {
                errors.Add($"{key}: Window must be 1–64 and Threshold 1–Window");
            }

            if (probe.IntervalSeconds <= 0 || probe.TimeoutSeconds <= 0)
            {
                errors.Add($"{key}: IntervalSeconds and TimeoutSeconds must be positive");
            }

            if (probe.Initial is < 0 || probe.Initial > probe.Window)
            {
                errors.Add($"{key}:Initial must be 0–Window");
            }

            if (!probe.Url.StartsWith('/'))
            {
                errors.Add($"{key}:Url must start with '/'");
            }
        }

        return errors;
    }

    private static bool IsToken(string name)
    {
        foreach (var c in name)
        {
            if (c <= ' ' || c >= 127 || "()<>@,;:\\\"/[]?={}".Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
