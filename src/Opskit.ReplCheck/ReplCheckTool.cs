using System.CommandLine;
using System.CommandLine.Help;
using Opskit.Core;
using Opskit.Core.Cli;
using Opskit.ReplCheck.Rules;
using Opskit.ReplCheck.Server;

namespace Opskit.ReplCheck;

/// <summary>
/// <c>opskit replcheck</c>: checks that a MySQL or MariaDB replica survives a crash (relay log recovery, crash-safe
/// positions, durable binlogs, primary binlog retention), prints the fixes, and exits like a Nagios plugin.
/// </summary>
public sealed class ReplCheckTool : IOpskitTool
{
    /// <summary>Exit code for bad usage: UNKNOWN, as Nagios plugins do.</summary>
    private const int Unknown = 3;

    /// <inheritdoc />
    public string Name => "replcheck";

    /// <inheritdoc />
    public int UsageExitCode => Unknown;

    /// <inheritdoc />
    public string Description => "Check that a MySQL/MariaDB replica is crash-safe and say how to fix it (Nagios exit codes).";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        // Options are text and validated in the action, so every bad value gets one line and exit code 3 (UNKNOWN).
        var host = new Option<string>("--host", "-h") { Description = "Server host; localhost (the default) means the Unix socket, as in the mysql client." };
        var port = new Option<string>("--port", "-P") { Description = "TCP port [3306]." };
        var socket = new Option<string>("--socket", "-S") { Description = $"Unix socket, used with host localhost [{ConnectionSettings.DefaultSocket}]." };
        var user = new Option<string>("--user", "-u") { Description = "User [login name]." };
        var password = new Option<string>("--password", "-p") { Description = "Password (-pSECRET or -p SECRET); prefer MYSQL_PWD or ~/.my.cnf, which ps cannot show." };
        var defaultsFile = new Option<string>("--defaults-file") { Description = "Read the [client] group of this file instead of ~/.my.cnf." };
        var timeout = new Option<string>("--timeout") { Description = "Timeout of the connection and of every query [5s]." };
        var primary = new Option<string>("--primary") { Description = "Primary to check binlog retention on: h=host,P=port,u=user,p=pass,S=socket or host[:port]." };
        var maxLag = new Option<string>("--max-lag") { Description = "Lag above which the check is CRIT; WARN above half [300s]." };
        var minRetention = new Option<string>("--min-binlog-retention") { Description = "Shortest binlog retention accepted on the primary [7d]." };
        var format = FormatOption.Create("Output", "table", "json", "nagios");
        var color = ColorOption.Create();
        var printConfig = new Option<bool>("--print-config") { Description = "Print a my.cnf fragment with every fix for this server's flavour and version." };

        var command = new Command(Name, Description)
        {
            host, port, socket, user, password, defaultsFile, timeout, primary, maxLag, minRetention, format, color, printConfig,
        };

        // -h is the host, as in the mysql client, so this command's help answers only to --help and -?.
        command.Options.Add(new HelpOption("--help", "-?"));
        command.SetAction(async (parse, ct) =>
        {
            ReplCheckOptions options;
            try
            {
                var connection = ConnectionSettings.Resolve(
                    new ConnectionArguments(parse.GetValue(host), parse.GetValue(port), parse.GetValue(socket), parse.GetValue(user), parse.GetValue(password),
                        parse.GetValue(timeout) is { } t ? DurationText.Parse(t, "--timeout") : null),
                    parse.GetValue(defaultsFile),
                    Environment.GetEnvironmentVariable);
                var thresholds = new CheckThresholds(
                    parse.GetValue(maxLag) is { } lag ? DurationText.Parse(lag, "--max-lag") : CheckThresholds.Default.MaxLag,
                    parse.GetValue(minRetention) is { } retention ? DurationText.Parse(retention, "--min-binlog-retention") : CheckThresholds.Default.MinBinlogRetention);
                var reportFormat = Enum.Parse<ReportFormat>(parse.GetValue(format)!, ignoreCase: true);
                options = new ReplCheckOptions(
                    connection,
                    parse.GetValue(primary) is { } dsn ? PrimaryDsn.Parse(dsn, connection) : null,
                    thresholds,
                    reportFormat,
                    parse.GetValue(printConfig));
            }
            catch (Exception ex) when (ex is FormatException or FileNotFoundException or IOException or UnauthorizedAccessException)
            {
                return await Usage(ex.Message).ConfigureAwait(false);
            }

            var colors = ColorOption.Enabled(parse.GetValue(color));
            var code = await ReplCheckRunner.RunAsync(options, Console.Out, colors, ct).ConfigureAwait(false);
            if (code == (int)CheckStatus.Unknown && options.Format == ReportFormat.Table)
            {
                // Cron mails stderr: the reason is there too, on one line.
                await Console.Error.WriteLineAsync($"opskit replcheck: could not check {options.Connection.Endpoint}").ConfigureAwait(false);
            }

            return code;
        });
        return command;
    }

    private static async Task<int> Usage(string message)
    {
        await Console.Error.WriteLineAsync($"opskit replcheck: {message}").ConfigureAwait(false);
        return Unknown;
    }
}
