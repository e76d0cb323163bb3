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
        if (!Utf8Formatter.TryFormat(value, digits, out var written, Fixed3) || written > 31)
        {
            destination[0] = (byte)'-';
            return 1;
        }

        var pad = Math.Max(0, 10 - written);
        destination[..pad].Fill((byte)' ');
        digits[..written].CopyTo(destination[pad..]);
        return pad + written;
    }
}
