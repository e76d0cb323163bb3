using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Tests.Parsing;

public sealed class OpenRequestTableTests
{
    [Fact]
    public void Random_adds_and_removes_agree_with_a_dictionary()
    {
        var random = new Random(14);
        var table = new OpenRequestTable();
        var reference = new Dictionary<long, RequestRecord>();
        for (var step = 0; step < 200_000; step++)
        {
            // Few distinct keys (collisions, long probe runs) in the first half, many in the second.
            var key = step < 100_000 ? random.Next(0, 300) : random.NextInt64(-1_000_000, 1_000_000);
            switch (random.Next(3))
            {
                case 0:
                    var record = new RequestRecord { Key = key };
                    table.Set(key, record);
                    reference[key] = record;
                    break;
                case 1:
                    Assert.Equal(reference.Remove(key), table.Remove(key));
                    break;
                default:
                    Assert.Equal(reference.TryGetValue(key, out var expected), table.TryGetValue(key, out var actual));
                    Assert.Same(expected, actual);
                    break;
            }

            Assert.Equal(reference.Count, table.Count);
        }

        foreach (var (key, record) in reference)
        {
            Assert.True(table.TryGetValue(key, out var found));
            Assert.Same(record, found);
        }
    }
}
