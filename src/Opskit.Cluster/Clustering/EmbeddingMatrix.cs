using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Clustering;

/// <summary>Unit-length sentence vectors, row-major: row <c>i</c> is sentence <c>i</c>.</summary>
internal readonly struct EmbeddingMatrix
{
    private readonly float[] _data;

    public EmbeddingMatrix(float[] data, int count, int dimension)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < count * dimension)
        {
            throw new ArgumentException("data is smaller than count × dimension", nameof(data));
        }

        _data = data;
        Count = count;
        Dimension = dimension;
    }

    public int Count { get; }

    public int Dimension { get; }

    public ReadOnlySpan<float> Row(int index) => _data.AsSpan(index * Dimension, Dimension);

    public float Cosine(int a, int b) => VectorMath.Dot(Row(a), Row(b));

    public static EmbeddingMatrix FromRows(IReadOnlyList<float[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dimension = rows.Count == 0 ? 0 : rows[0].Length;
        var data = new float[rows.Count * dimension];
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].CopyTo(data, i * dimension);
        }

        return new EmbeddingMatrix(data, rows.Count, dimension);
    }
}
