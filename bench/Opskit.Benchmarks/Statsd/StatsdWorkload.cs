using System.Text;

namespace Opskit.Benchmarks.Statsd;

/// <summary>
/// A realistic packet mix over ~1000 keys: counters, sampled counters, timers, gauges (absolute and delta),
/// sets and a few tagged lines, 10 lines per packet (the shape the whole-system benchmark sends).
/// </summary>
internal static class StatsdWorkload
{
    public const int LinesPerPacket = 10;

    public static byte[][] Packets(int count, int keys = 1000)
    {
        var random = new Random(12345);
        var packets = new byte[count][];
        var sb = new StringBuilder();
        for (var p = 0; p < count; p++)
        {
            sb.Clear();
            for (var l = 0; l < LinesPerPacket; l++)
            {
                var key = random.Next(keys);
                switch (random.Next(8))
                {
                    case 0 or 1:
                        sb.Append("app.requests.").Append(key).Append(":1|c");
                        break;
                    case 2:
                        sb.Append("app.sampled.").Append(key).Append(":1|c|@0.1");
                        break;
                    case 3 or 4:
                        sb.Append("app.latency.").Append(key).Append(':').Append(random.Next(1, 500)).Append("|ms");
                        break;
                    case 5:
                        sb.Append("app.queue.").Append(key).Append(':').Append(random.Next(0, 100)).Append("|g");
                        break;
                    case 6:
                        sb.Append("app.users.").Append(key % 100).Append(":user").Append(random.Next(0, 50)).Append("|s");
                        break;
                    default:
                        sb.Append("app.tagged.").Append(key % 200).Append(":1|c|#env:prod,region:eu");
                        break;
                }

                if (l < LinesPerPacket - 1)
                {
                    sb.Append('\n');
                }
            }

            packets[p] = Encoding.ASCII.GetBytes(sb.ToString());
        }

        return packets;
    }

    /// <summary>
    /// The C blaster's mix (bench/statsd/blaster.c): 40% counters, 15% sampled counters, 25% timers with one
    /// decimal, 10% gauges, 10% sets over 200 keys per type, no tags.
    /// </summary>
    public static byte[][] BlasterPackets(int count)
    {
        var random = new Random(54321);
        var packets = new byte[count][];
        var sb = new StringBuilder();
        for (var p = 0; p < count; p++)
        {
            sb.Clear();
            for (var l = 0; l < LinesPerPacket; l++)
            {
                var roll = random.Next(100);
                var key = random.Next(200);
                if (roll < 40)
                {
                    sb.Append("bench.app.requests.").Append(key).Append(':').Append(1 + random.Next(5)).Append("|c");
                }
                else if (roll < 55)
                {
                    sb.Append("bench.app.sampled.").Append(key).Append(":1|c|@0.1");
                }
                else if (roll < 80)
                {
                    sb.Append("bench.app.latency.").Append(key).Append(':').Append(random.Next(900)).Append('.').Append(random.Next(10)).Append("|ms");
                }
                else if (roll < 90)
                {
                    sb.Append("bench.app.queue.").Append(key).Append(':').Append(random.Next(10000)).Append("|g");
                }
                else
                {
                    sb.Append("bench.app.users.").Append(key).Append(":user").Append(random.Next(5000)).Append("|s");
                }

                if (l < LinesPerPacket - 1)
                {
                    sb.Append('\n');
                }
            }

            packets[p] = Encoding.ASCII.GetBytes(sb.ToString());
        }

        return packets;
    }
}
