using System.Net.Sockets;
using System.Text;

namespace Opskit.Edge.Tests.Support;

/// <summary>
/// Sends one request exactly as written (HttpClient would normalize <c>/g/../x</c> and cannot send <c>OPTIONS *</c>)
/// and reads the whole answer (the request asks for <c>Connection: close</c>).
/// </summary>
internal static class RawHttp
{
    public static async Task<string> SendAsync(int port, string requestLine, params string[] headers)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var text = new StringBuilder(requestLine).Append("\r\nHost: 127.0.0.1:").Append(port).Append("\r\nConnection: close\r\n");
        foreach (var header in headers)
        {
            text.Append(header).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(text.Append("\r\n").ToString()));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(timeout.Token);
    }

    public static int Status(string response) => int.Parse(response.AsSpan(9, 3), provider: System.Globalization.CultureInfo.InvariantCulture);
}
