using System.Numerics;
using System.Runtime.InteropServices;

namespace Opskit.Cluster.Embeddings;

/// <summary>Small SIMD helpers over float spans for pooling and cosine similarity.</summary>
internal static class VectorMath
{
    public static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("vectors differ in length", nameof(b));
        }

        var sum = Vector<float>.Zero;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = MemoryMarshal.Cast<float, Vector<float>>(a);
            var vb = MemoryMarshal.Cast<float, Vector<float>>(b);
            for (var v = 0; v < va.Length; v++)
            {
                sum += va[v] * vb[v];
            }

            i = va.Length * Vector<float>.Count;
        }

        var total = Vector.Sum(sum);
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }

        return total;
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="destination"/> element-wise.</summary>
    public static void AddTo(ReadOnlySpan<float> source, Span<float> destination)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vs = MemoryMarshal.Cast<float, Vector<float>>(source);
            var vd = MemoryMarshal.Cast<float, Vector<float>>(destination);
            for (var v = 0; v < vs.Length; v++)
            {
                vd[v] += vs[v];
            }

            i = vs.Length * Vector<float>.Count;
        }

        for (; i < source.Length; i++)
        {
            destination[i] += source[i];
        }
    }

    /// <summary>Scales <paramref name="vector"/> to unit length (left as is when it is all zeros).</summary>
    public static float Normalize(Span<float> vector)
    {
        var norm = MathF.Sqrt(Dot(vector, vector));
        if (norm > 0)
        {
            // Same clamp as torch.nn.functional.normalize (eps 1e-12).
            var scale = 1f / MathF.Max(norm, 1e-12f);
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] *= scale;
            }
        }

        return norm;
    }
}
