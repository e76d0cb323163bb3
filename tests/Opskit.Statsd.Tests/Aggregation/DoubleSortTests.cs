using CsCheck;
using Opskit.Statsd.Aggregation;

namespace Opskit.Statsd.Tests.Aggregation;

/// <summary>The flush's radix sort must order every input as Array.Sort does (the timer statistics depend on it).</summary>
public sealed class DoubleSortTests
{
    private static readonly double[] Specials =
        [0.0, -0.0, double.PositiveInfinity, double.NegativeInfinity, double.MaxValue, double.MinValue, double.Epsilon, -double.Epsilon];

    // Timings as they arrive: integers, short decimals, a few wild values, negatives, zeros of both signs.
    private static readonly Gen<double> Timing = Gen.Frequency(
        (6, Gen.Int[0, 5000].Select(i => (double)i)),
        (3, Gen.Int[0, 500_000].Select(i => i / 100.0)),
        (1, Gen.Double),
        (1, Gen.Int[-1000, 1000].Select(i => (double)i)),
        (1, Gen.Int[0, Specials.Length - 1].Select(i => Specials[i])));

    [Fact]
    public void Sorts_generated_arrays_of_every_length_as_array_sort_does()
    {
        Gen.Frequency(
                (1, Timing.Array[0, DoubleSort.RadixThreshold + 10]),
                (3, Timing.Array[DoubleSort.RadixThreshold, 8000]))
            .Sample(
                values =>
                {
                    var expected = (double[])values.Clone();
                    Array.Sort(expected);
                    var actual = (double[])values.Clone();
                    DoubleSort.Sort(actual);
                    // -0 and +0 compare equal (double.Equals), as the statistics see them.
                    return expected.AsSpan().SequenceEqual(actual);
                },
                iter: 300);
    }

    [Fact]
    public void Puts_negative_zero_before_positive_zero_and_keeps_the_sign_bits()
    {
        var values = new double[DoubleSort.RadixThreshold * 2];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i % 2 == 0 ? 0.0 : -0.0;
        }

        DoubleSort.Sort(values);

        var half = DoubleSort.RadixThreshold;
        Assert.All(values.AsSpan(0, half).ToArray(), v => Assert.True(double.IsNegative(v)));
        Assert.All(values.AsSpan(half).ToArray(), v => Assert.False(double.IsNegative(v)));
    }

    [Fact]
    public void Falls_back_to_array_sort_when_a_value_is_nan()
    {
        var values = Enumerable.Range(0, 3000).Select(i => (double)(3000 - i)).ToArray();
        values[1500] = double.NaN;

        DoubleSort.Sort(values);

        Assert.True(double.IsNaN(values[0]));
        Assert.Equal(1.0, values[1]);
        Assert.Equal(3000.0, values[^1]);
        for (var i = 2; i < values.Length; i++)
        {
            Assert.True(values[i - 1] <= values[i]);
        }
    }

    [Fact]
    public void Sorts_values_that_differ_only_in_their_lowest_byte()
    {
        var values = new double[DoubleSort.RadixThreshold + 600];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(100.0) + (ulong)((i * 37) % 256));
        }

        var expected = (double[])values.Clone();
        Array.Sort(expected);
        DoubleSort.Sort(values);

        Assert.Equal(expected, values);
    }
}
