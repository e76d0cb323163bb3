using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Opskit.VarnishLog.Parsing;
using Opskit.VarnishLog.Tests.Support;

namespace Opskit.VarnishLog.Tests.Parsing;

/// <summary>
/// The binary reader on files written here from the raw text capture, in both layouts (the real Varnish 7.1 files are
/// in RealVarnishTests): the same requests as the text reader, whatever the chunks, and never an exception.
/// </summary>
public sealed class VslBinaryReaderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_raw_capture_written_as_a_binary_file_reads_as_the_text_does(bool varnish73)
    {
        var layout = varnish73 ? VslBinaryLayout.Version3 : VslBinaryLayout.Version2;
        var text = LogRun.Of(LogRun.Fixture("varnish-7.1-raw.log"));
        var file = Encode(LogRun.Fixture("varnish-7.1-raw.log"), layout);
        Assert.Equal(layout, VslBinaryReader.Detect(file));

        foreach (var chunk in new[] { file.Length, 4096, 13, 1 })
        {
            var binary = Read(file, chunk);
            Assert.Equal(Signature(text), Signature(binary));
            Assert.Equal(text.Assembler.Counters.Lines, binary.Assembler.Counters.Lines);
            Assert.Equal(0, binary.Assembler.Counters.MalformedLines);
        }
    }

    [Fact]
    public void Large_vxids_of_the_7_3_layout_are_kept_whole()
    {
        const long Vxid = (1L << 40) + 7;
        var raw = $"{Vxid,10} Begin          c req {Vxid - 1} rxreq\n{Vxid,10} ReqURL         c /big\n{Vxid,10} End            c \n";
        var run = Read(Encode(Encoding.ASCII.GetBytes(raw), VslBinaryLayout.Version3), int.MaxValue);
        Assert.Equal(Vxid, Assert.Single(run.Requests).Vxid);
    }

    [Fact]
    public void A_record_cut_short_at_the_end_is_one_malformed_record()
    {
        var file = Encode(LogRun.Fixture("varnish-7.1-raw.log"), VslBinaryLayout.Version2);
        var run = Read(file[..^3], int.MaxValue);
        Assert.Equal(1, run.Assembler.Counters.MalformedLines);
    }

    [Fact]
    public void Mutated_binary_files_in_random_chunks_never_throw()
    {
        var sources = new[] { Encode(LogRun.Fixture("varnish-7.1-raw.log"), VslBinaryLayout.Version2), Encode(LogRun.Fixture("varnish-7.1-raw.log"), VslBinaryLayout.Version3) };
        var gen = Gen.Select(Gen.Int[0, 1], Gen.Int[0, 40].SelectMany(n => Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Array[n, n]), Gen.Int[1, 300]);
        gen.Sample((source, mutations, chunk) =>
        {
            var bytes = (byte[])sources[source].Clone();
            foreach (var (position, value) in mutations)
            {
                // Keep the header: a file with another magic is not given to this reader.
                bytes[VslBinaryReader.HeaderBytes + (position % (bytes.Length - VslBinaryReader.HeaderBytes))] = value;
            }

            var run = Read(bytes, chunk, verify: false);
            var counters = run.Assembler.Counters;
            Assert.Equal(0, counters.Pending);
            Assert.Equal(counters.Requests, run.Requests.Count);
            Assert.True(run.Assembler.RecordsCreated <= 5, $"{run.Assembler.RecordsCreated} records for a limit of 4");
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void Random_bytes_after_the_header_never_throw()
    {
        Gen.Byte.Array[0, 3000].Sample(body =>
        {
            var run = Read([.. "VSL\0"u8, .. body], 97, verify: false);
            Assert.Equal(0, run.Assembler.Counters.Pending);
        }, iter: 2000, threads: 1);
    }

    /// <summary>Writes <c>-g raw</c> text as a binary VSL file of <paramref name="layout"/>, as varnishd would.</summary>
    private static byte[] Encode(byte[] rawText, VslBinaryLayout layout)
    {
        var tags = layout == VslBinaryLayout.Version3 ? VslBinaryTags.Version3 : VslBinaryTags.Version2;
        var file = new List<byte>(layout == VslBinaryLayout.Version3 ? "VSL2"u8.ToArray() : "VSL\0"u8.ToArray());
        foreach (var text in Encoding.UTF8.GetString(rawText).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var line = VslLineParser.ParseNumbered(Encoding.UTF8.GetBytes(text));
            Assert.Equal(VslLineKind.Record, line.Kind);
            var name = line.Name.ToArray();
            var number = Array.FindIndex(tags, t => t.AsSpan().SequenceEqual(name)) + 1;
            Assert.True(number > 0, $"no tag number for {Encoding.ASCII.GetString(name)}");
            var data = new List<byte>(line.Data.ToArray()) { 0 };
            var marker = line.Type switch { (byte)'c' => 1u, (byte)'b' => 2u, _ => 0u };
            void Word(uint value)
            {
                var word = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(word, value);
                file.AddRange(word);
            }

            Word(((uint)number << 24) | (layout == VslBinaryLayout.Version3 ? 1u << 16 : 0) | (uint)data.Count);
            if (layout == VslBinaryLayout.Version3)
            {
                Word((uint)line.Id);
                Word((marker << 30) | (uint)(line.Id >> 32));
            }
            else
            {
                Word((marker << 30) | (uint)line.Id);
            }

            while (data.Count % 4 != 0)
            {
                data.Add(0);
            }

            file.AddRange(data);
        }

        return [.. file];
    }

    private static LogRun Read(byte[] file, int chunk, bool verify = true)
    {
        var run = new LogRun(new AssemblerOptions { MaxPending = verify ? 10_000 : 4 });
        var reader = new VslBinaryReader(VslBinaryReader.Detect(file), run.Assembler);
        var records = file.AsSpan(VslBinaryReader.HeaderBytes);
        if (verify)
        {
            Assert.Null(reader.Verify(records));
        }

        var consumed = 0;
        for (var end = Math.Min(chunk, records.Length); ; end = (int)Math.Min((long)end + chunk, records.Length))
        {
            consumed += reader.Decode(records[consumed..end]);
            if (end == records.Length)
            {
                break;
            }
        }

        reader.Complete(records.Length - consumed);
        return run;
    }

    private static string Signature(LogRun run) =>
        string.Join('\n', run.Requests.Select(r => $"{r.Vxid} {r.Client} {r.Method} {r.Url} {r.Protocol} {r.Handling} {r.Status} {r.Reason} {r.TotalMs} {r.ProcessMs} {r.BodyBytes} {string.Join('|', r.RequestHeaders)} {string.Join('|', r.ResponseHeaders)}"));
}
