using Opskit.Cluster.Clustering;

namespace Opskit.Cluster.Tests.Clustering;

internal static class Vectors
{
    /// <summary>Unit vectors in the plane at the given angles (degrees): cosine = cos(angle difference).</summary>
    public static EmbeddingMatrix OnCircle(params double[] degrees) =>
        EmbeddingMatrix.FromRows(degrees.Select(d => new[] { (float)Math.Cos(d * Math.PI / 180), (float)Math.Sin(d * Math.PI / 180) }).ToArray());

    public static double Distance(double degrees) => 1 - Math.Cos(degrees * Math.PI / 180);
}
