using System.CommandLine;
using System.Globalization;
using Opskit.ExecLog.Records;
using Opskit.ExecLog.Running;
using Opskit.ExecLog.Sinks;

namespace Opskit.ExecLog;

/// <summary>Everything a wrapped run needs, validated.</summary>
/// <param name="Run">How the command runs.</param>
/// <param name="Sinks">Where the record goes.</param>
/// <param name="Tags">The --tag pairs.</param>
/// <param name="Verbose">Report failed destinations on stderr.</param>
/// <param name="Positional">Every positional token the parser saw: those after <c>--</c>, plus any stray word or unknown option before it.</param>
internal sealed record ExecLogSettings(RunSettings Run, SinkChain Sinks, IReadOnlyList<KeyValuePair<string, string>> Tags, bool Verbose, IReadOnlyList<string> Positional);

/// <summary>
/// The wrapper's options. Values are taken as text and checked here, so a bad value is one line on stderr
/// and exit code 125 (the wrapper's own failure, as with env and timeout) rather than a code the wrapped
/// plugin could have returned.
/// </summary>
internal sealed class ExecLogOptions
{
    private readonly Option<string?> _log = new("--log") { Description = "Append one JSON line per run to FILE (O_APPEND, one write per record: safe with concurrent runs)." };
    private readonly Option<string[]> _to = new("--to")
    {
        Description = "Destinations in order of preference, comma-separated or repeated: journal, syslog, file, stderr. Default: file (with --log), journal (when its socket exists), syslog.",
    };

    private readonly Option<bool> _every = new("--every") { Description = "Write to every destination, not just the first that works." };
    private readonly Option<string> _priority = new("--priority", "-p") { Description = "Syslog facility.level.", DefaultValueFactory = _ => "auth.info" };
    private readonly Option<string> _syslogTag = new("--syslog-tag") { Description = "Syslog APP-NAME and journal SYSLOG_IDENTIFIER.", DefaultValueFactory = _ => "opskit-execlog" };
    private readonly Option<string> _syslogSocket = new("--syslog-socket") { Description = "Syslog datagram socket.", DefaultValueFactory = _ => SyslogSink.DefaultSocket };
    private readonly Option<string> _syslogFormat = new("--syslog-format") { Description = "rfc5424 (structured data) or rfc3164.", DefaultValueFactory = _ => "rfc5424" };
    private readonly Option<string> _journalSocket = new("--journal-socket") { Description = "systemd journal native socket.", DefaultValueFactory = _ => JournalSink.DefaultSocket };
    private readonly Option<string[]> _tags = new("--tag") { Description = "KEY=VALUE added to the record (repeatable; KEY is [A-Za-z0-9_.-], at most 32)." };
    private readonly Option<string> _capture = new("--capture")
    {
        Description = "auto: relay stdout/stderr through the wrapper (counted) unless a terminal; always; never (inherit, not counted).",
        DefaultValueFactory = _ => "auto",
    };

    private readonly Option<string> _drain = new("--drain-timeout")
    {
        Description = "Seconds to keep relaying output after the command exits while a background process holds the pipe.",
        DefaultValueFactory = _ => "1",
    };

    private readonly Option<string?> _stateFile = new("--state-file") { Description = "Counter of records no destination took (default $XDG_RUNTIME_DIR/opskit-execlog.dropped or /tmp/opskit-execlog.UID.dropped)." };
    private readonly Option<bool> _verbose = new("--verbose") { Description = "Say on stderr which destinations failed." };
    private readonly Argument<string[]> _command = new("command") { Description = "After --: the command and its arguments, passed unchanged.", Arity = ArgumentArity.ZeroOrMore };

    /// <summary>True for a syslog tag or tag key: 1 to 32 of [A-Za-z0-9_.-].</summary>
    public static bool IsSafeTag(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length is 0 or > 32)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is not (>= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    public void AddTo(Command command)
    {
        command.Options.Add(_log);
        command.Options.Add(_to);
        command.Options.Add(_every);
        command.Options.Add(_priority);
        command.Options.Add(_syslogTag);
        command.Options.Add(_syslogSocket);
        command.Options.Add(_syslogFormat);
        command.Options.Add(_journalSocket);
        command.Options.Add(_tags);
        command.Options.Add(_capture);
        command.Options.Add(_drain);
        command.Options.Add(_stateFile);
        command.Options.Add(_verbose);
        command.Arguments.Add(_command);
    }

    /// <summary>The validated settings, or null after printing why they are wrong.</summary>
    public ExecLogSettings? Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (!SyslogPriority.TryParse(parse.GetValue(_priority)!, out var priority))
        {
            return Fail($"--priority: expected facility.level such as auth.info, got '{parse.GetValue(_priority)}'");
        }

        var tag = parse.GetValue(_syslogTag)!;
        if (!IsSafeTag(tag))
        {
            return Fail("--syslog-tag: 1 to 32 of [A-Za-z0-9_.-]");
        }

        var legacy = parse.GetValue(_syslogFormat) switch
        {
            "rfc5424" => false,
            "rfc3164" => true,
            _ => (bool?)null,
        };
        if (legacy is null)
        {
            return Fail("--syslog-format: rfc5424 or rfc3164");
        }

        CaptureMode capture;
        switch (parse.GetValue(_capture))
        {
            case "auto": capture = CaptureMode.Auto; break;
            case "always": capture = CaptureMode.Always; break;
            case "never": capture = CaptureMode.Never; break;
            default: return Fail("--capture: auto, always or never");
        }

        if (!double.TryParse(parse.GetValue(_drain), NumberStyles.Float, CultureInfo.InvariantCulture, out var drain) || drain < 0 || drain > 86400)
        {
            return Fail("--drain-timeout: seconds, 0 to 86400");
        }

        var tags = new List<KeyValuePair<string, string>>();
        foreach (var pair in parse.GetValue(_tags) ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !IsSafeTag(pair[..equals]))
            {
                return Fail($"--tag: expected KEY=VALUE with KEY of [A-Za-z0-9_.-], got '{pair}'");
            }

            tags.Add(new(pair[..equals], pair[(equals + 1)..]));
        }

        var log = parse.GetValue(_log);
        var sinks = new List<IRecordSink>();
        var requested = parse.GetValue(_to) ?? [];
        if (requested.Length == 0)
        {
            if (log is not null)
            {
                sinks.Add(new JsonFileSink(log));
            }

            var journal = parse.GetValue(_journalSocket)!;
            if (File.Exists(journal))
            {
                sinks.Add(new JournalSink(journal, priority, tag));
            }

            sinks.Add(new SyslogSink(parse.GetValue(_syslogSocket)!, priority, tag, legacy.Value));
        }
        else
        {
            foreach (var item in requested)
            {
                foreach (var name in item.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    switch (name)
                    {
                        case "journal": sinks.Add(new JournalSink(parse.GetValue(_journalSocket)!, priority, tag)); break;
                        case "syslog": sinks.Add(new SyslogSink(parse.GetValue(_syslogSocket)!, priority, tag, legacy.Value)); break;
                        case "stderr": sinks.Add(new StderrSink()); break;
                        case "file" when log is not null: sinks.Add(new JsonFileSink(log)); break;
                        case "file": return Fail("--to file needs --log FILE");
                        default: return Fail($"--to: unknown destination '{name}' (journal, syslog, file, stderr)");
                    }
                }
            }
        }

        var state = parse.GetValue(_stateFile) ?? DropCounter.DefaultPath(Native.GetUid());
        var run = new RunSettings(capture, TimeSpan.FromSeconds(drain), RunSettings.Default.FirstLineMax);
        return new ExecLogSettings(run, new SinkChain(sinks, parse.GetValue(_every), new DropCounter(state)), tags, parse.GetValue(_verbose), parse.GetValue(_command) ?? []);
    }

    private static ExecLogSettings? Fail(string message)
    {
        ExecLogTool.Error(message);
        return null;
    }
}
