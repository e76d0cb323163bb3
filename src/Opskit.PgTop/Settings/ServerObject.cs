using System.Text.Json;
using Opskit.PgTop.Collection;

namespace Opskit.PgTop.Settings;

/// <summary>
/// A server of the configuration file written as an object: <c>{"name": "prod", "host": "db1", "port": 5433,
/// "user": "monitor", "dbname": "app"}</c>. Keys are libpq's (<c>host</c>, <c>port</c>, <c>user</c>, <c>dbname</c>,
/// <c>password</c>, <c>service</c>, <c>sslmode</c>...) plus <c>name</c>; what is missing comes from the environment
/// and defaults as for a string.
/// </summary>
internal static class ServerObject
{
    public static ServerTarget Resolve(JsonElement entry, string? path, Func<string, string?> environment, string? service)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder();
        string? name = null;
        foreach (var property in entry.EnumerateObject())
        {
            var value = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                JsonValueKind.Number => property.Value.GetRawText(),
                _ => throw new FormatException($"{path}: server key \"{property.Name}\" must be a string or a number"),
            };
            switch (property.Name.ToLowerInvariant())
            {
                case "name":
                    name = value;
                    break;
                case "service":
                    service = value;
                    break;
                case "username":
                    ConnectionInfo.Apply(builder, "user", value);
                    break;
                case "database":
                    ConnectionInfo.Apply(builder, "dbname", value);
                    break;
                default:
                    if (!ConnectionInfo.IsLibpqKeyword(property.Name))
                    {
                        throw new FormatException($"{path}: unknown server key \"{property.Name}\" (name, host, port, user, dbname, password, service, sslmode, ...)");
                    }

                    ConnectionInfo.Apply(builder, property.Name, value);
                    break;
            }
        }

        ConnectionInfo.ApplyDefaults(builder, environment, service);
        return new ServerTarget(
            string.IsNullOrWhiteSpace(name) ? ConnectionInfo.DisplayName(builder) : name.Trim(),
            builder.ConnectionString);
    }
}
