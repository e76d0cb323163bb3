using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;

namespace Opskit.VarnishLog.Output;

/// <summary>
/// How the original script prints a time: awk turns the number into a string with <c>CONVFMT="%10.3f"</c>, except
/// that an integral value prints as an integer ("0", not "     0.000"); the escape codes around it then make
/// <c>%10s</c> pad nothing. Reproduced so that our lines equal the original's with colours removed.
/// </summary>
internal static class AwkNumber
{
    private static readonly StandardFormat Fixed3 = new('F', 3);

    /// <summary>Formats <paramref name="value"/> into <paramref name="destination"/> (at least 32 bytes); returns the length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Format(double value, Span<byte> destination)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            destination[0] = (byte)'-';
            return 1;
        }

        if (value == Math.Floor(value) && Math.Abs(value) < 1e15)
        {
            Utf8Formatter.TryFormat((long)value, destination, out var integral);
            return integral;
        }

        Span<byte> digits = stackalloc byte[32];
        var written = FastFixed3(value, digits);
        if (written == 0 && (!Utf8Formatter.TryFormat(value, digits, out written, Fixed3) || written > 31))
        {
            destination[0] = (byte)'-';
            return 1;
        }

        var pad = Math.Max(0, 10 - written);
        destination[..pad].Fill((byte)' ');
        digits[..written].CopyTo(destination[pad..]);
        return pad + written;
    }

    /// <summary>The same as <c>F3</c> formatting, by integer arithmetic; 0 when it is not sure (the caller formats).</summary>
    /// <remarks>
    /// <c>Utf8Formatter</c>'s F3 goes through Dragon4 for every time printed (a tenth of the run's CPU at 100k requests).
    /// For 0 &lt; value &lt; 10^6 the product value × 1000 is off by less than 10^-7, so rounding it to the nearest integer
    /// gives F3's digits unless its fraction is within 10^-6 of one half; those few go to the exact formatter.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FastFixed3(double value, Span<byte> destination)
    {
        if (!(value > 0 && value < 1e6))
        {
            return 0;
        }

        var scaled = value * 1000;
        var floor = Math.Floor(scaled);
        var fraction = scaled - floor;
        if (Math.Abs(fraction - 0.5) < 1e-6)
        {
            return 0;
        }

        var thousandths = (long)floor + (fraction > 0.5 ? 1 : 0);
        Utf8Formatter.TryFormat(thousandths / 1000, destination, out var written);
        var milli = (int)(thousandths % 1000);
        destination[written] = (byte)'.';
        destination[written + 1] = (byte)('0' + (milli / 100));
        destination[written + 2] = (byte)('0' + (milli / 10 % 10));
        destination[written + 3] = (byte)('0' + (milli % 10));
        return written + 4;
    }
}
