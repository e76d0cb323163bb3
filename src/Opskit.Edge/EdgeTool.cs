using System.CommandLine;
using Microsoft.Extensions.Configuration;
using Opskit.Core.Hosting;
using Opskit.Edge.Configuration;
using Opskit.Edge.Profiles;
using Opskit.Edge.Proxy;

namespace Opskit.Edge;

/// <summary>
/// <c>opskit edge</c>: a caching reverse proxy with Varnish semantics and a per-route personalization gate backed by
/// an SQLite profiles file; <c>opskit edge build-profiles</c> builds that file from reading signals.
/// </summary>
public sealed class EdgeTool : IServiceTool
{
    /// <summary>Where <c>opskit up</c> listens.</summary>
    public const string EmbeddedListen = "http://127.0.0.1:8080";

    /// <summary>Where <c>opskit up</c> serves the edge's <c>/metrics</c> and <c>/status</c>.</summary>
    public const string EmbeddedAdmin = "http://127.0.0.1:8081";

    /// <summary>The sample upstream of <c>opskit up</c>: the cluster service it also starts.</summary>
    public const string EmbeddedUpstream = "http://127.0.0.1:8000/";

    /// <summary>Exit code: bad command line, missing or invalid configuration file (also for <c>build-profiles</c>).</summary>
    public const int ExitConfiguration = 2;

    /// <summary>Exit code: a listen address cannot be bound (port in use, permission denied).</summary>
    public const int ExitCannotListen = 3;

    /// <inheritdoc />
    public string Name => "edge";

    /// <inheritdoc />
    public string Description => "Caching reverse proxy (Varnish semantics, YARP) with an SQLite personalization gate.";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var config = new Option<FileInfo>("--config", "-c")
        {
            Description = "JSON configuration: an \"Edge\" section and a YARP \"ReverseProxy\" section (see docs/edge.md).",
            Required = true,
        };
        var command = new Command(Name, Description) { config };
        command.SetAction(async (parse, ct) =>
        {
            var file = parse.GetValue(config);
            if (file is null || !file.Exists)
            {
                await Console.Error.WriteLineAsync($"opskit edge: --config FILE is required and must exist{(file is null ? string.Empty : $" ({file.FullName})")}").ConfigureAwait(false);
                return ExitConfiguration;
            }

            Microsoft.AspNetCore.Builder.WebApplication app;
            try
            {
                app = EdgeHost.Build(new EdgeHostSettings(c => c.Add(new ValidatedJsonFile(file.FullName, EdgeOptionsValidation.Errors))));
            }
            catch (Exception ex) when (ex is Microsoft.Extensions.Options.OptionsValidationException or InvalidDataException or FormatException or InvalidOperationException)
            {
                await Console.Error.WriteLineAsync($"opskit edge: invalid configuration in {file.FullName}: {ex.Message}").ConfigureAwait(false);
                return ExitConfiguration;
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.StartAsync(ct).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // Kestrel's "Failed to bind to address …: address already in use." is the whole story: one line, no trace.
                    await Console.Error.WriteLineAsync(
                        $"opskit edge: cannot listen: {ex.Message.TrimEnd('.')}. Stop whatever holds that port or change Edge:Listen/Edge:AdminListen in {file.FullName}.")
                        .ConfigureAwait(false);
                    return ExitCannotListen;
                }

                await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app, ct).ConfigureAwait(false);
            }

            return 0;
        });
        command.Subcommands.Add(CreateBuildProfilesCommand());
        return command;
    }

    private static Command CreateBuildProfilesCommand()
    {
        var signals = new Option<FileInfo>("--signals") { Description = "Reading signals: CSV or JSON lines (user id, article id, timestamp), gzip accepted.", Required = true };
        var minReads = new Option<int>("--min-reads") { Description = "Keep users with at least this many distinct articles.", DefaultValueFactory = _ => 1 };
        var output = new Option<FileInfo>("--out") { Description = "The profiles file to create or replace atomically.", Required = true };
        var maxMalformed = new Option<double>("--max-malformed-ratio") { Description = "Fail when more than this share of lines is malformed.", DefaultValueFactory = _ => 0.01 };
        var createDirs = new Option<bool>("--create-dirs") { Description = "Create the directory of --out when it does not exist (default: refuse, a typo would hide the file)." };
        var command = new Command("build-profiles", "Build the profiles SQLite file from reading signals (atomic replace).")
        {
            signals, minReads, output, maxMalformed, createDirs,
        };
        command.SetAction(async (parse, ct) =>
        {
            var input = parse.GetValue(signals)!;
            if (!input.Exists)
            {
                await Console.Error.WriteLineAsync($"build-profiles: {input.FullName} does not exist").ConfigureAwait(false);
                return ExitConfiguration;
            }

            if (parse.GetValue(minReads) < 1)
            {
                await Console.Error.WriteLineAsync("build-profiles: --min-reads must be at least 1").ConfigureAwait(false);
                return ExitConfiguration;
            }

            var outDirectory = parse.GetValue(output)!.Directory;
            if (outDirectory is { Exists: false } && !parse.GetValue(createDirs))
            {
                await Console.Error.WriteLineAsync($"build-profiles: directory {outDirectory.FullName} does not exist (check --out, or pass --create-dirs)").ConfigureAwait(false);
                return ExitConfiguration;
            }

            var builder = new ProfileBuilder(
                new ProfileBuildOptions(input.FullName, parse.GetValue(minReads), parse.GetValue(output)!.FullName, parse.GetValue(maxMalformed)),
                Console.Error);
            var report = await builder.RunAsync(ct).ConfigureAwait(false);
            await Console.Out.WriteLineAsync(
                $"build-profiles: {report.Lines:N0} lines, {report.Signals:N0} signals, {report.Malformed:N0} malformed, {report.Users:N0} users, {report.Profiles:N0} profiles{(report.Replaced ? $" written to {parse.GetValue(output)!.FullName}" : string.Empty)}")
                .ConfigureAwait(false);
            if (report.Error is not null)
            {
                await Console.Error.WriteLineAsync($"build-profiles: {report.Error}").ConfigureAwait(false);
                return 1;
            }

            return 0;
        });
        return command;
    }

    /// <inheritdoc />
    public async Task<RunningService> StartEmbeddedAsync(EmbeddedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var directory = context.ServiceDirectory(Name);
        var settings = EmbeddedSettings(context.Setting("edge.listen", EmbeddedListen), context.Setting("edge.upstream", EmbeddedUpstream), Path.Combine(directory, "profiles.db"));
        settings["Edge:AdminListen"] = context.Setting("edge.admin", EmbeddedAdmin);
        // Own logger factory in Opskit's console format rather than the shared one, so the per-request
        // Information logs of ASP.NET Core and YARP can be filtered out.
        var app = EdgeHost.Build(new EdgeHostSettings(c => c.AddInMemoryCollection(settings)));
        return await app.StartAsRunningServiceAsync(Name, _ => EdgeHost.Addresses(app), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The <c>opskit up</c> configuration: every path to the sample upstream, cached, with the gate on (profiles file
    /// in the data directory; a missing file means nobody is personalized) at a 10% sticky rollout.
    /// </summary>
    internal static Dictionary<string, string?> EmbeddedSettings(string listen, string upstream, string profiles) => new()
    {
        ["Edge:Listen"] = listen,
        ["Edge:AdminListen"] = EmbeddedAdmin,
        ["Edge:Policies:sample:Gate:Database"] = profiles,
        ["Edge:Policies:sample:Gate:RolloutPercentage"] = "10",
        ["Edge:Policies:sample:Gate:RolloutSalt"] = "opskit-up",
        ["ReverseProxy:Routes:sample:ClusterId"] = "sample",
        ["ReverseProxy:Routes:sample:Match:Path"] = "/{**catch-all}",
        ["ReverseProxy:Clusters:sample:Destinations:d1:Address"] = upstream,
    };
}
