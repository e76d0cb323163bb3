using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Opskit.Edge.Http;

/// <summary>
/// Access log in varnishncsa's default format
/// (<c>%h %l %u %t "%r" %s %b "%{Referer}i" "%{User-agent}i"</c>) followed by <c>hit</c>, <c>miss</c> or <c>pass</c>.
/// Lines go through a bounded channel to one writer; when the writer cannot keep up, lines are dropped and counted
/// rather than slowing requests. Off by default (as varnishncsa is a separate daemon).
/// </summary>
internal sealed class AccessLog : IAsyncDisposable
{
    private readonly Channel<string>? _lines;
    private readonly Task? _writer;
    private long _dropped;

    public AccessLog(string target)
    {
        if (string.IsNullOrEmpty(target))
        {
            return;
        }

        _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65_536)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        });
        var output = target == "-"
            ? new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false))
            : new StreamWriter(new FileStream(target, FileMode.Append, FileAccess.Write, FileShare.ReadWrite), new UTF8Encoding(false));
        _writer = WriteAsync(_lines.Reader, output);
    }

    public bool Enabled => _lines is not null;

    public long Dropped => Volatile.Read(ref _dropped);

    public void Log(HttpContext context, int status, long bytes, string handling)
    {
        if (_lines is null)
        {
            return;
        }

        var request = context.Request;
        var headers = request.Headers;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{context.Connection.RemoteIpAddress} - - [{DateTimeOffset.UtcNow:dd/MMM/yyyy:HH:mm:ss} +0000] \"{request.Method} {request.Scheme}://{request.Host}{request.Path}{request.QueryString} {request.Protocol}\" {status} {(bytes > 0 ? bytes.ToString(CultureInfo.InvariantCulture) : "-")} \"{Or(headers.Referer)}\" \"{Or(headers.UserAgent)}\" {handling}");
        if (!_lines.Writer.TryWrite(line))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    private static string Or(Microsoft.Extensions.Primitives.StringValues value) => value.Count == 0 ? "-" : value.ToString();

    private static async Task WriteAsync(ChannelReader<string> reader, StreamWriter output)
    {
        await using (output.ConfigureAwait(false))
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var line))
                {
                    await output.WriteLineAsync(line).ConfigureAwait(false);
                }

                await output.FlushAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_lines is null)
        {
            return;
        }

        _lines.Writer.TryComplete();
        await _writer!.ConfigureAwait(false);
    }
}
