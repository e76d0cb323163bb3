using System.CommandLine;
using Opskit.Core;
using Opskit.Core.Cli;
using Opskit.VarnishLog.Filters;
using Opskit.VarnishLog.Output;

namespace Opskit.VarnishLog;

/// <summary>
/// <c>opskit vlogdump</c>: reads varnishlog output of Varnish 2.1 to 7.x (standard input, a file, a binary
/// <c>-w</c> file, or a <c>varnishlog</c> it runs) and shows one entry per client request, with the original
/// vlogdump script's filters and output.
/// </summary>
public sealed class VlogdumpTool : IOpskitTool
{
    /// <summary>Exit code for a bad command line: an invalid regex, query or <c>-v</c> variable.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code when the input cannot be read (missing file, varnishlog failed).</summary>
    public const int InputError = 1;

    /// <inheritdoc />
    public string Name => "vlogdump";

    /// <inheritdoc />
    public string Description => "One line pair per Varnish client request from varnishlog output (2.1 to 7.x), with filters and a summary.";

    /// <inheritdoc />
    public Command CreateCommand()
    {
        var file = new Argument<string?>("FILE")
        {
            Description = "varnishlog text output (any generation, format detected) or a binary varnishlog -w file; '-' or nothing for standard input.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var format = FormatOption.Create("Output", "text", "json", "ncsa", "tsv");
        format.Description = "Output: text (the original two lines), json (one object per line), ncsa (varnishncsa's default line), tsv [text].";
        var color = ColorOption.Create();
        var summary = new Option<bool>("--summary") { Description = "Print only the summary, on standard output." };
        var noSummary = new Option<bool>("--no-summary") { Description = "No summary on standard error at the end." };
        var showReq = new Option<bool>("--show-req-headers") { Description = "Show request headers (req.http.Name = value)." };
        var showResp = new Option<bool>("--show-resp-headers") { Description = "Show response headers (resp.http.Name = value)." };
        var clientMatch = new Option<string?>("--client-match") { Description = "Regex on the client IP; '!' in front negates." };
        var reqMethod = new Option<string?>("--req-method") { Description = "Regex on the request method; '!' negates." };
        var urlMatch = new Option<string?>("--url-match") { Description = "Regex on the URL; '!' negates." };
        var onlyStatus = new Option<string?>("--only-status") { Description = "Regex on 'STATUS REASON'; '!' negates." };
        var onlyHits = new Option<bool>("--only-hits") { Description = "Only cache hits." };
        var onlyMisses = new Option<bool>("--only-misses") { Description = "Only cache misses (miss and hit-for-miss)." };
        var onlySlow = new Option<string?>("--only-slow")
        {
            Description = "Only requests slower than MS milliseconds until the response was ready (1 or no value: 1000).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var reqHeaders = new Option<string?>("--req-headers-match") { Description = "Regex on any request header 'Name: value'; '!' negates." };
        var respHeaders = new Option<string?>("--resp-headers-match") { Description = "Regex on any response header 'Name: value'; '!' negates." };
        var variables = new Option<string[]>("--var", "-v")
        {
            Description = "The original script's options as name=value: " + string.Join(", ", AwkVariables.Names) + ".",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var query = new Option<string[]>("--query", "-q")
        {
            Description = "VSL query (vsl-query(7)): {level}Tag,Tag*:Prefix[field] or vxid, == != < <= > >= eq ne ~ !~, and/or/not, (); repeated: or-ed.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var queryFile = new Option<string[]>("--query-file", "-Q")
        {
            Description = "Read VSL queries from FILE, one per line (# comments, backslash continues a line); or-ed with -q.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var clientHeader = new Option<string?>("--client-ip-header") { Description = "Take the client from this request header's first address (e.g. X-Forwarded-For)." };
        var varnishlog = new Option<bool>("--varnishlog") { Description = "Run 'varnishlog -g request' and follow it; SIGTERM or Ctrl-C prints the summary." };
        var instance = new Option<string?>("-n") { Description = "varnishlog's -n: Varnish instance name or working directory." };
        var maxPending = new Option<int>("--max-pending")
        {
            Description = "At most this many incomplete requests are kept; the oldest is dropped and counted (varnishlog -L).",
            DefaultValueFactory = _ => 10_000,
        };
        var pendingTimeout = new Option<double>("--pending-timeout")
        {
            Description = "Seconds an incomplete request is kept before it is dropped and counted (varnishlog -T).",
            DefaultValueFactory = _ => 120,
        };

        var command = new Command(Name, Description)
        {
            file, format, color, summary, noSummary, showReq, showResp, clientMatch, reqMethod, urlMatch, onlyStatus,
            onlyHits, onlyMisses, onlySlow, reqHeaders, respHeaders, variables, query, queryFile, clientHeader, varnishlog, instance,
            maxPending, pendingTimeout,
        };
        command.SetAction((parse, stop) =>
        {
            VlogdumpSettings settings;
            try
            {
                var filters = new FilterSettings
                {
                    ClientMatch = parse.GetValue(clientMatch),
                    ReqMethod = parse.GetValue(reqMethod),
                    UrlMatch = parse.GetValue(urlMatch),
                    OnlyStatus = parse.GetValue(onlyStatus),
                    OnlyHits = parse.GetValue(onlyHits),
                    OnlyMisses = parse.GetValue(onlyMisses),
                    OnlySlow = parse.GetResult(onlySlow) is null ? null : AwkVariables.Slow(parse.GetValue(onlySlow) ?? "1"),
                    ReqHeadersMatch = parse.GetValue(reqHeaders),
                    RespHeadersMatch = parse.GetValue(respHeaders),
                    ShowRequestHeaders = parse.GetValue(showReq),
                    ShowResponseHeaders = parse.GetValue(showResp),
                    Query = QueryText(parse.GetValue(query), parse.GetValue(queryFile)),
                };
                filters = AwkVariables.Apply(filters, parse.GetValue(variables) ?? []);
                if (parse.GetValue(maxPending) < 1 || !(parse.GetValue(pendingTimeout) > 0))
                {
                    throw new FormatException("--max-pending and --pending-timeout must be positive");
                }

                if (parse.GetValue(varnishlog) && parse.GetValue(file) is { } given && given != "-")
                {
                    throw new FormatException("--varnishlog reads from varnishlog: give no FILE");
                }

                settings = new VlogdumpSettings
                {
                    File = parse.GetValue(file),
                    Varnishlog = parse.GetValue(varnishlog),
                    InstanceName = parse.GetValue(instance),
                    Format = Enum.Parse<OutputFormat>(parse.GetValue(format)!, ignoreCase: true),
                    Colour = ColorOption.Enabled(parse.GetValue(color)),
                    SummaryOnly = parse.GetValue(summary),
                    NoSummary = parse.GetValue(noSummary),
                    Filters = filters,
                    ClientIpHeader = parse.GetValue(clientHeader),
                    MaxPending = parse.GetValue(maxPending),
                    PendingTimeout = TimeSpan.FromSeconds(parse.GetValue(pendingTimeout)),
                };
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"opskit vlogdump: {ex.Message}");
                return Task.FromResult(UsageError);
            }

            return VlogdumpCommand.RunAsync(settings, stop);
        });
        return command;
    }

    /// <summary>Every <c>-q</c> and the contents of every <c>-Q</c> file, one query per line (or-ed, as varnishlog does).</summary>
    private static string? QueryText(string[]? queries, string[]? files)
    {
        var parts = new List<string>(queries ?? []);
        foreach (var file in files ?? [])
        {
            try
            {
                parts.Add(File.ReadAllText(file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new FormatException($"-Q {file}: {ex.Message}", ex);
            }
        }

        return parts.Count == 0 ? null : string.Join('\n', parts);
    }
}
