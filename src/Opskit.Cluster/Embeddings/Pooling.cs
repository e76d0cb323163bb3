namespace Opskit.Cluster.Embeddings;

/// <summary>How token vectors become one sentence vector.</summary>
public enum Pooling
{
    /// <summary>Attention-masked mean of <c>last_hidden_state</c> (all-MiniLM-L6-v2 and most sentence-transformers).</summary>
    Mean,

    /// <summary>The <c>[CLS]</c> token's vector (some BGE/GTE exports).</summary>
    Cls,
}
