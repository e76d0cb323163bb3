using System.Text.Json;
using System.Text.Json.Serialization;

namespace Opskit.Cluster.Http;

// Request and response shapes for the OpenAPI document. The handlers read and write JSON directly
// (to name the bad field in errors and to stream vectors), so these types exist to describe the API.
#pragma warning disable CA1812 // Only referenced through typeof for OpenAPI.

/// <summary>POST /cluster request.</summary>
/// <param name="Sentences">Sentences to group (at most 4096).</param>
/// <param name="Algorithm">agglomerative (default), community or kmeans.</param>
/// <param name="Threshold">agglomerative: cosine distance below which clusters merge (default: an automatic cut, see docs/cluster.md); community: cosine similarity to join (default 0.75).</param>
/// <param name="MinClusterSize">Smaller clusters are reported as unclustered (default 1; community 10, capped at the number of sentences).</param>
/// <param name="K">Number of clusters; required for kmeans.</param>
internal sealed record ClusterRequest(
    [property: JsonPropertyName("sentences")] string[] Sentences,
    [property: JsonPropertyName("algorithm")] string? Algorithm,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("min_cluster_size")] int? MinClusterSize,
    [property: JsonPropertyName("k")] int? K);

/// <summary>One cluster; the representative (closest to the centroid) is first in both lists.</summary>
internal sealed record ClusterGroup(
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("representative")] string Representative,
    [property: JsonPropertyName("sentences")] string[] Sentences,
    [property: JsonPropertyName("indices")] int[] Indices);

/// <summary>POST /cluster response: clusters largest first, plus the indices in no cluster.</summary>
internal sealed record ClusterResponse(
    [property: JsonPropertyName("clusters")] ClusterGroup[] Clusters,
    [property: JsonPropertyName("unclustered")] int[] Unclustered,
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("min_cluster_size")] int MinClusterSize,
    [property: JsonPropertyName("k")] int? K);

/// <summary>POST /embed (Text Embeddings Inference style). The response is an array of vectors.</summary>
/// <param name="Inputs">A sentence or a list of sentences (at most 4096).</param>
/// <param name="Normalize">true (default): unit vectors; false: the raw attention-masked mean of the token states.</param>
/// <param name="Truncate">true (default): sentences over 256 tokens are cut; false: such a sentence is refused with 413.</param>
internal sealed record EmbedRequest(
    [property: JsonPropertyName("inputs")] string[] Inputs,
    [property: JsonPropertyName("normalize")] bool? Normalize,
    [property: JsonPropertyName("truncate")] bool? Truncate);

/// <summary>POST /v1/embeddings (OpenAI compatible).</summary>
/// <param name="Input">
/// A string, an array of strings, an array of token ids (one pre-tokenized input) or an array of token-id arrays.
/// Token ids are this model's vocabulary ids, used as given (include [CLS] 101 and [SEP] 102 to match text input);
/// arrays over 256 ids keep their first 256.
/// </param>
/// <param name="Model">Echoed in the response; the service serves its one model whatever is asked.</param>
/// <param name="EncodingFormat">float (default) or base64 (little-endian float32, what the OpenAI libraries ask for by default).</param>
/// <param name="Dimensions">1 to the model dimension: the first N components, re-normalized to unit length.</param>
/// <param name="User">Accepted and ignored.</param>
internal sealed record OpenAiEmbeddingRequest(
    [property: JsonPropertyName("input")] JsonElement Input,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("encoding_format")] string? EncodingFormat,
    [property: JsonPropertyName("dimensions")] int? Dimensions,
    [property: JsonPropertyName("user")] string? User);

/// <summary>One vector of an OpenAI embeddings response (float array, or base64 of little-endian float32).</summary>
internal sealed record OpenAiEmbedding(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("embedding")] float[] Embedding);

/// <summary>Token counts of an OpenAI embeddings response.</summary>
internal sealed record OpenAiUsage(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens);

/// <summary>POST /v1/embeddings response.</summary>
internal sealed record OpenAiEmbeddingResponse(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] OpenAiEmbedding[] Data,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("usage")] OpenAiUsage Usage);

/// <summary>The sentence pair lists of POST /similarity.</summary>
internal sealed record SimilarityInputs(
    [property: JsonPropertyName("source_sentence")] string SourceSentence,
    [property: JsonPropertyName("sentences")] string[] Sentences);

/// <summary>POST /similarity (TEI style): cosine of the source sentence with each sentence; response is an array of scores.</summary>
internal sealed record SimilarityRequest([property: JsonPropertyName("inputs")] SimilarityInputs Inputs);

/// <summary>GET /info response.</summary>
internal sealed record InfoResponse(
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("dimension")] int Dimension,
    [property: JsonPropertyName("max_input_length")] int MaxInputLength,
    [property: JsonPropertyName("max_client_batch_size")] int MaxClientBatchSize,
    [property: JsonPropertyName("max_batch_size")] int MaxBatchSize,
    [property: JsonPropertyName("max_batch_tokens")] int MaxBatchTokens,
    [property: JsonPropertyName("max_wait_ms")] double MaxWaitMs,
    [property: JsonPropertyName("queue_capacity")] int QueueCapacity,
    [property: JsonPropertyName("intra_op_threads")] int IntraOpThreads,
    [property: JsonPropertyName("ready")] bool Ready);
#pragma warning restore CA1812

/// <summary>GET /v1/models response: OpenAI's model list.</summary>
internal sealed record OpenAiModelList(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<OpenAiModel> Data);

/// <summary>One model of <see cref="OpenAiModelList"/>.</summary>
internal sealed record OpenAiModel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

/// <summary>POST /tokenize (Text Embeddings Inference): one string or a list.</summary>
/// <param name="Inputs">Text(s) to tokenize, untruncated.</param>
/// <param name="AddSpecialTokens">true (default): [CLS] first and [SEP] last, with empty ranges.</param>
internal sealed record TokenizeRequest(
    [property: JsonPropertyName("inputs")] string[] Inputs,
    [property: JsonPropertyName("add_special_tokens")] bool? AddSpecialTokens);

/// <summary>One token of a /tokenize answer; <c>start</c>/<c>stop</c> are character (code point) offsets into the input.</summary>
internal sealed record TokenizeToken(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("special")] bool Special,
    [property: JsonPropertyName("start")] int? Start,
    [property: JsonPropertyName("stop")] int? Stop);

/// <summary>POST /decode (Text Embeddings Inference): one id list or a list of them.</summary>
/// <param name="Ids">Token ids of this model's vocabulary.</param>
/// <param name="SkipSpecialTokens">true (default): [CLS], [SEP], [PAD], [MASK] and [UNK] are left out.</param>
internal sealed record DecodeRequest(
    [property: JsonPropertyName("ids")] int[][] Ids,
    [property: JsonPropertyName("skip_special_tokens")] bool? SkipSpecialTokens);
