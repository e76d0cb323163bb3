using System.Runtime.CompilerServices;
namespace Opskit.VarnishLog.Parsing;

/// <summary>How Varnish handled a client request, with varnishncsa's <c>%{Varnish:handling}x</c> values.</summary>
public enum Handling
{
    /// <summary>No VCL decision was logged (<c>-</c>).</summary>
    None,

    /// <summary>Served from the cache (<c>Hit</c>).</summary>
    Hit,

    /// <summary>Fetched from the backend and cached (<c>VCL_call MISS</c>).</summary>
    Miss,

    /// <summary>Fetched from the backend, not cached (<c>VCL_call PASS</c>).</summary>
    Pass,

    /// <summary>Handed to the backend as a byte pipe (<c>VCL_return pipe</c>).</summary>
    Pipe,

    /// <summary>A synthetic response from VCL (<c>VCL_call SYNTH</c>, legacy <c>error</c>).</summary>
    Synth,

    /// <summary>A hit-for-miss object was found: a miss for the client.</summary>
    HitMiss,

    /// <summary>A hit-for-pass object was found: a pass for the client.</summary>
    HitPass,
}

/// <summary>Names and labels of <see cref="Handling"/>.</summary>
internal static class HandlingNames
{
    /// <summary>varnishncsa's word: <c>hit</c>, <c>miss</c>, ..., <c>-</c> for none.</summary>
    public static string Name(Handling handling) => handling switch
    {
        Handling.Hit => "hit",
        Handling.Miss => "miss",
        Handling.Pass => "pass",
        Handling.Pipe => "pipe",
        Handling.Synth => "synth",
        Handling.HitMiss => "hitmiss",
        Handling.HitPass => "hitpass",
        _ => "-",
    };

    /// <summary><see cref="Name"/> as UTF-8 bytes.</summary>
    public static ReadOnlySpan<byte> Utf8Name(Handling handling) => handling switch
    {
        Handling.Hit => "hit"u8,
        Handling.Miss => "miss"u8,
        Handling.Pass => "pass"u8,
        Handling.Pipe => "pipe"u8,
        Handling.Synth => "synth"u8,
        Handling.HitMiss => "hitmiss"u8,
        Handling.HitPass => "hitpass"u8,
        _ => "-"u8,
    };

    /// <summary>The label of the two-line output: hit-for-miss is a MISS and hit-for-pass a PASS for the client.</summary>
    public static string Label(Handling handling) => handling switch
    {
        Handling.Hit => "HIT",
        Handling.Miss or Handling.HitMiss => "MISS",
        Handling.Pass or Handling.HitPass => "PASS",
        Handling.Pipe => "PIPE",
        Handling.Synth => "SYNTH",
        _ => "-",
    };

    /// <summary>True for the handlings the label calls MISS.</summary>
    public static bool IsMiss(Handling handling) => handling is Handling.Miss or Handling.HitMiss;
}

/// <summary>
/// varnishncsa's one rule for hit/miss, applied to every log generation alike: reset at <c>VCL_call RECV</c>;
/// <c>Hit</c> is a hit; <c>VCL_call MISS</c> a miss unless <c>HitMiss</c> came first; <c>VCL_call PASS</c> a pass unless
/// <c>HitPass</c> came first; <c>VCL_call SYNTH</c> (legacy <c>error</c>) synth; <c>VCL_return pipe</c> pipe.
/// </summary>
internal static class HandlingRule
{
    /// <summary>The handling after a <c>VCL_call</c> of <paramref name="method"/> (case-insensitive).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Handling OnVclCall(Handling current, ReadOnlySpan<byte> method)
    {
        if (EqualsIgnoreCase(method, "recv"u8))
        {
            return Handling.None;
        }

        if (EqualsIgnoreCase(method, "miss"u8))
        {
            return current == Handling.HitMiss ? current : Handling.Miss;
        }

        if (EqualsIgnoreCase(method, "pass"u8))
        {
            return current == Handling.HitPass ? current : Handling.Pass;
        }

        if (EqualsIgnoreCase(method, "synth"u8) || EqualsIgnoreCase(method, "error"u8))
        {
            return Handling.Synth;
        }

        return current;
    }

    /// <summary>The handling after a <c>VCL_return</c> of <paramref name="action"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Handling OnVclReturn(Handling current, ReadOnlySpan<byte> action) =>
        EqualsIgnoreCase(action, "pipe"u8) ? Handling.Pipe : current;

    /// <summary>ASCII case-insensitive equality; VCL method names are ASCII.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> value, ReadOnlySpan<byte> lowerAscii)
    {
        if (value.Length != lowerAscii.Length)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            if ((value[i] | 0x20) != lowerAscii[i])
            {
                return false;
            }
        }

        return true;
    }
}
