using Opskit.Cluster.Embeddings;

namespace Opskit.Cluster.Tests.Embeddings;

/// <summary>Loads all-MiniLM-L6-v2 once for every test class that shares it (loading takes seconds).</summary>
public sealed class ModelFixture : IDisposable
{
    private readonly Lazy<EmbeddingModel> _model = new(() =>
        new EmbeddingModel(new MiniLmResources().Load(), new EmbeddingModelOptions()));

    internal EmbeddingModel Model => _model.Value;

    public void Dispose()
    {
        if (_model.IsValueCreated)
        {
            _model.Value.Dispose();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ModelFixture>
{
    public const string Name = "MiniLM model";
}
