namespace Opskit.Cluster.Embeddings;

/// <summary>
/// The numbers a model folder gives for how many tokens a sequence may have, and the one that is used, chosen as
/// sentence-transformers chooses it: <c>sentence_bert_config.json</c>'s <c>max_seq_length</c> when there is one,
/// else the smaller of <c>config.json</c>'s <c>max_position_embeddings</c> and <c>tokenizer_config.json</c>'s
/// <c>model_max_length</c>.
/// </summary>
/// <param name="MaxSeqLength"><c>sentence_bert_config.json</c>: <c>max_seq_length</c>.</param>
/// <param name="ModelMaxLength"><c>tokenizer_config.json</c>: <c>model_max_length</c>.</param>
/// <param name="MaxPositionEmbeddings"><c>config.json</c>: <c>max_position_embeddings</c>.</param>
internal sealed record SequenceLength(int? MaxSeqLength, int? ModelMaxLength, int? MaxPositionEmbeddings)
{
    /// <summary>BERT's position table, when a folder says nothing at all.</summary>
    public const int Fallback = 512;

    /// <summary>Tokens per sequence, <c>[CLS]</c> and <c>[SEP]</c> included.</summary>
    public int Resolve(int? truncationMaxLength = null)
    {
        if (MaxSeqLength is { } configured)
        {
            return configured;
        }

        // transformers' tokenizers treat a missing model_max_length as unbounded, so the position table decides.
        return (ModelMaxLength, MaxPositionEmbeddings) switch
        {
            ({ } tokenizer, { } positions) => Math.Min(tokenizer, positions),
            ({ } tokenizer, null) => tokenizer,
            (null, { } positions) => positions,
            _ => truncationMaxLength ?? Fallback,
        };
    }
}
