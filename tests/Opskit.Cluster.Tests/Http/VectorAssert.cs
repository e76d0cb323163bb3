using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Http;

internal static class VectorAssert
{
    public static float Norm(float[] vector) => MathF.Sqrt(VectorMath.Dot(vector, vector));

    public static float Cosine(float[] a, float[] b) => VectorMath.Dot(a, b) / (Norm(a) * Norm(b));

    /// <summary>The first <paramref name="dimensions"/> components scaled to unit length (OpenAI's shortened embeddings).</summary>
    public static float[] Shortened(float[] vector, int dimensions)
    {
        var head = vector[..dimensions];
        var norm = Norm(head);
        return [.. head.Select(x => x / norm)];
    }

    public static void Same(float[] expected, float[] actual, string because)
    {
        Assert.Equal(expected.Length, actual.Length);
        var cosine = Cosine(expected, actual);
        Assert.True(cosine >= 0.9999f, $"{because}: cosine {cosine}");
    }

    public static float[] FromBase64(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        var floats = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, floats, 0, bytes.Length);
        return floats;
    }
}
