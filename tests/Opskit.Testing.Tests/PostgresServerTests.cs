using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace Opskit.Testing.Tests;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task Throwaway_server_answers_select_1_and_is_removed_afterwards()
    {
        var ct = TestContext.Current.CancellationToken;
        var server = await PostgresServer.StartAsync();
        var dataDirectory = server.DataDirectory;
        var port = server.Port;
        try
        {
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("select 1", connection);
            var result = await command.ExecuteScalarAsync(ct);
            Assert.Equal(1, Convert.ToInt32(result, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await server.DisposeAsync();
        }

        Assert.False(Directory.Exists(dataDirectory), "the data directory should be removed");
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAsync<SocketException>(async () => await probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), ct));
    }
}
