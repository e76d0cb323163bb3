using System.Net.Sockets;
using System.Text.Json;

namespace Opskit;

/// <summary>
/// Turns an exception that escaped a command into the one line a person reads: what failed and, where the
/// cause is a common one (a port in use, a missing file), what to do. The stack trace is for developers and is
/// printed only with <c>--verbose</c> or <c>OPSKIT_DEBUG=1</c>.
/// </summary>
internal static class CommandFailure
{
    /// <summary>Exit code of a command that failed while running, for a cause not listed below (README, "Exit codes").</summary>
    public const int ExitCode = 1;

    /// <summary>Exit code of a usage or configuration error: a bad option, a missing or invalid file.</summary>
    public const int UsageExitCode = 2;

    /// <summary>Exit code of a service that cannot listen: the address is in use or not permitted.</summary>
    public const int CannotListenExitCode = 3;

    /// <summary>True when the user asked for stack traces (<c>--verbose</c> anywhere, or <c>OPSKIT_DEBUG=1</c>).</summary>
    public static bool Verbose(IReadOnlyList<string> args) =>
        Environment.GetEnvironmentVariable("OPSKIT_DEBUG") is "1" or "true" || args.Contains("--verbose");

    /// <summary>Writes the failure of <paramref name="command"/> as one line (plus the stack trace when verbose).</summary>
    public static int Report(TextWriter error, string command, Exception exception, bool verbose)
    {
        error.WriteLine($"{command}: {Describe(exception)}");
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return ExitCodeOf(exception);
    }

    /// <summary>The documented exit code for <paramref name="exception"/>.</summary>
    public static int ExitCodeOf(Exception exception)
    {
        if (Find<SocketException>(exception) is { SocketErrorCode: SocketError.AddressAlreadyInUse or SocketError.AccessDenied or SocketError.AddressNotAvailable })
        {
            return CannotListenExitCode;
        }

        return Find<FileNotFoundException>(exception) is not null || Find<DirectoryNotFoundException>(exception) is not null
            || Find<JsonException>(exception) is not null || Find<UnauthorizedAccessException>(exception) is not null
            ? UsageExitCode
            : ExitCode;
    }

    /// <summary>One line for <paramref name="exception"/>: the innermost useful message, with advice for known causes.</summary>
    public static string Describe(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Find<SocketException>(exception) is { SocketErrorCode: SocketError.AddressAlreadyInUse })
        {
            // Kestrel says "Failed to bind to address http://127.0.0.1:8080: address already in use."
            var text = OneLine(exception.Message).TrimEnd('.');
            return $"{text}: another process is listening there; stop it or choose another address or port";
        }

        if (Find<SocketException>(exception) is { SocketErrorCode: SocketError.AccessDenied })
        {
            return $"{OneLine(exception.Message).TrimEnd('.')}: ports below 1024 need root or CAP_NET_BIND_SERVICE";
        }

        return exception switch
        {
            FileNotFoundException notFound when notFound.FileName is { Length: > 0 } name => $"file not found: {name}",
            DirectoryNotFoundException or FileNotFoundException or UnauthorizedAccessException => OneLine(exception.Message),
            JsonException json => $"invalid JSON{Position(json)}: {OneLine(FirstSentence(json.Message))}",
            AggregateException { InnerExceptions.Count: 1 } aggregate => Describe(aggregate.InnerExceptions[0]),
            _ when exception.InnerException is { } inner && IsWrapper(exception) => Describe(inner),
            _ => OneLine(exception.Message),
        };
    }

    private static bool IsWrapper(Exception exception) =>
        exception is System.Reflection.TargetInvocationException or TypeInitializationException;

    private static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T found)
            {
                return found;
            }

            if (exception is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    if (Find<T>(inner) is { } nested)
                    {
                        return nested;
                    }
                }
            }
        }

        return null;
    }

    // System.Text.Json counts lines and bytes from zero; people count from one.
    private static string Position(JsonException json) =>
        json.LineNumber is { } line ? $" at line {line + 1}" + (json.BytePositionInLine is { } column ? $", column {column + 1}" : string.Empty) : string.Empty;

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
