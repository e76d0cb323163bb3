using System.Text.Json;
using Opskit.ReplCheck.Rules;

namespace Opskit.ReplCheck.Output;

/// <summary><c>--format json</c>: one object with the server, the overall status and one object per check.</summary>
internal static class JsonReportWriter
{
    public static void Write(ReplCheckReport report, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("endpoint", report.Endpoint);
        if (report.Server is { } server)
        {
            json.WriteString("flavor", server.Version.Flavor == Server.ServerFlavor.MariaDb ? "mariadb" : "mysql");
            json.WriteString("version", $"{server.Version.Major}.{server.Version.Minor}.{server.Version.Patch}");
            json.WriteString("version_text", server.Version.Text);
            json.WriteBoolean("replica", server.IsReplica);
        }

        json.WriteString("status", ReplCheckReport.Short(report.Overall));
        json.WriteNumber("exit_code", (int)report.Overall);
        if (report.Error is not null)
        {
            json.WriteString("error", report.Error);
        }

        json.WriteStartArray("checks");
        foreach (var result in report.Results)
        {
            WriteCheck(json, result);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    private static void WriteCheck(Utf8JsonWriter json, CheckResult result)
    {
        json.WriteStartObject();
        json.WriteString("id", result.Id);
        if (result.Channel is not null)
        {
            json.WriteString("channel", result.Channel);
        }

        json.WriteString("status", ReplCheckReport.Short(result.Status));
        json.WriteString("value", result.Value);
        json.WriteString("why", result.Why);
        json.WriteStartObject("fix");
        WriteList(json, "config", result.Fix.ConfigLines);
        WriteList(json, "statements", result.Fix.Statements);
        WriteList(json, "steps", result.Fix.Steps);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string> items)
    {
        json.WriteStartArray(name);
        foreach (var item in items)
        {
            json.WriteStringValue(item);
        }

        json.WriteEndArray();
    }
}
