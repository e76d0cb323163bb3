using System.Buffers.Binary;
using System.Text;
using Opskit.Testing;

namespace Opskit.ExecLog.Tests.Sinks;

/// <summary>A datagram socket bound by the test stands in for journald's native socket; the test parses the protocol.</summary>
public sealed class JournalSocketTests
{
    [Fact]
    public async Task Record_arrives_as_native_journal_fields_with_raw_arguments()
    {
        using var dir = new TempDirectory("execlog");
        var socketPath = dir.File("journal.sock");
        using var journal = SyslogSocketTests.Bind(socketPath);

        var (exit, _, _) = await Wrapper.BashAsync(
            $"{Wrapper.Opskit} execlog --to journal --journal-socket {Wrapper.Quote(socketPath)} --tag nrpe.command=check_x --state-file {Wrapper.Quote(dir.File("state"))} -- printf 'OK\\n' $'two\\nlines' $'\\xff'");

        Assert.Equal(0, exit);
        var buffer = new byte[65536];
        var length = journal.Receive(buffer);
        var fields = Parse(buffer.AsSpan(0, length));

        Assert.Equal("opskit-execlog", Text(fields, "SYSLOG_IDENTIFIER").Single());
        Assert.Equal("6", Text(fields, "PRIORITY").Single());
        Assert.Equal("4", Text(fields, "SYSLOG_FACILITY").Single());
        Assert.Equal("0", Text(fields, "EXECLOG_EXIT").Single());
        Assert.Equal("OK", Text(fields, "EXECLOG_FIRST_LINE").Single());
        Assert.Equal("check_x", Text(fields, "EXECLOG_TAG_NRPE_COMMAND").Single());
        var args = fields.Where(f => f.Name == "EXECLOG_ARG").Select(f => f.Value).ToList();
        Assert.Equal(4, args.Count);
        Assert.Equal("printf"u8.ToArray(), args[0]);
        Assert.Equal("OK\\n"u8.ToArray(), args[1]);
        Assert.Equal("two\nlines"u8.ToArray(), args[2]);
        Assert.Equal(new byte[] { 0xff }, args[3]);
        Assert.DoesNotContain('\n', Text(fields, "MESSAGE").Single());
    }

    private static List<(string Name, byte[] Value)> Parse(ReadOnlySpan<byte> datagram)
    {
        var fields = new List<(string, byte[])>();
        while (!datagram.IsEmpty)
        {
            var newline = datagram.IndexOf((byte)'\n');
            var equals = datagram[..newline].IndexOf((byte)'=');
            if (equals >= 0)
            {
                fields.Add((Encoding.ASCII.GetString(datagram[..equals]), datagram[(equals + 1)..newline].ToArray()));
                datagram = datagram[(newline + 1)..];
                continue;
            }

            // Binary form: NAME\n, little-endian 64-bit length, value, \n.
            var name = Encoding.ASCII.GetString(datagram[..newline]);
            var size = (int)BinaryPrimitives.ReadUInt64LittleEndian(datagram[(newline + 1)..]);
            var start = newline + 1 + 8;
            fields.Add((name, datagram.Slice(start, size).ToArray()));
            Assert.Equal((byte)'\n', datagram[start + size]);
            datagram = datagram[(start + size + 1)..];
        }

        return fields;
    }

    private static IEnumerable<string> Text(List<(string Name, byte[] Value)> fields, string name) =>
        fields.Where(f => f.Name == name).Select(f => Encoding.UTF8.GetString(f.Value));
}
