using System.Net.Http.Headers;
using System.Text;
using CsCheck;
using Microsoft.Extensions.Logging;

namespace Opskit.Cluster.Tests.Http;

/// <summary>
/// Issue #21: random and near-valid request bodies on every POST endpoint never get a 500 and never make the
/// service log an exception. Bounded: a fixed number of requests per endpoint, small bodies, a time limit.
/// </summary>
[Collection(ClusterServiceCollection.Name)]
public sealed class RequestBodyFuzzTests(ClusterServiceFixture service)
{
    private static readonly string[] Endpoints = ["/embed", "/cluster", "/v1/embeddings", "/similarity"];

    private static readonly string[] FieldNames =
    [
        "inputs", "sentences", "input", "source_sentence", "algorithm", "threshold", "min_cluster_size", "k",
        "normalize", "truncate", "encoding_format", "dimensions", "model", "", "inputs\u0000",
    ];

    /// <summary>Pieces of string content: plain text, escapes (valid and lone surrogates), raw bytes that are not UTF-8.</summary>
    private static readonly Gen<byte[]> StringPiece = Gen.OneOf(
        Gen.Const("a"u8.ToArray()), Gen.Const(" "u8.ToArray()), Gen.Const("the cat"u8.ToArray()), Gen.Const("[CLS]"u8.ToArray()),
        Gen.Const("\\ud800"u8.ToArray()), Gen.Const("\\udfff"u8.ToArray()), Gen.Const("\\ud83d\\ude00"u8.ToArray()),
        Gen.Const("\\u0000"u8.ToArray()), Gen.Const("\\n"u8.ToArray()), Gen.Const("\\\""u8.ToArray()), Gen.Const("\\x"u8.ToArray()),
        Gen.Const("é"u8.ToArray()), Gen.Const("👍🏽"u8.ToArray()), Gen.Const("\u200d"u8.ToArray()),
        Gen.Byte[0x80, 0xff].Select(b => new[] { b }),
        Gen.Byte[0x01, 0x1f].Select(b => new[] { b }),
        Gen.String[0, 12].Select(s => Encoding.UTF8.GetBytes(s.Replace("\\", "/", StringComparison.Ordinal).Replace("\"", "'", StringComparison.Ordinal))));

    private static readonly Gen<string> StringLiteral = StringPiece.Array[0, 6].Select(pieces => "\"" + Latin1(pieces) + "\"");

    private static readonly Gen<string> Scalar = Gen.Frequency(
        (5, StringLiteral),
        (2, Gen.OneOf("0", "-1", "1", "2", "101", "102", "30521", "30522", "384", "385", "2.5", "1e400", "-0", "1e-400", "99999999999999999999")),
        (1, Gen.OneOf("true", "false", "null", "kmeans", "community", "agglomerative", "\"kmeans\"", "\"community\"", "\"base64\"", "\"float\"")));

    /// <summary>A JSON-ish value: strings, numbers of every kind, literals, arrays and objects a few levels deep.</summary>
    private static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (5, Scalar),
            (3, value.Array[0, 5].Select(items => "[" + string.Join(',', items) + "]")),
            (2, Gen.Select(Gen.OneOf(FieldNames), value).Array[0, 4].Select(Object))));

    /// <summary>Bodies: objects with the endpoints' field names (mostly), broken JSON, and random bytes.</summary>
    private static readonly Gen<byte[]> Body = Gen.Frequency(
        (6, Gen.Select(Gen.OneOf(FieldNames), Value).Array[1, 5].Select(fields => Encoding.Latin1.GetBytes(Object(fields)))),
        (2, Value.Select(Encoding.Latin1.GetBytes)),
        (1, Gen.Select(Value, Gen.Int[0, 40]).Select((value, cut) => Encoding.Latin1.GetBytes(value[..Math.Min(cut, value.Length)]))),
        (1, Gen.Byte.Array[0, 64]));

    private static string Object((string Name, string Value)[] fields) =>
        "{" + string.Join(',', fields.Select(f => $"\"{f.Name}\":{f.Value}")) + "}";

    /// <summary>Bytes carried through a string unchanged (one char per byte), so raw non-UTF-8 bytes reach the wire.</summary>
    private static string Latin1(byte[][] pieces) => Encoding.Latin1.GetString([.. pieces.SelectMany(p => p)]);

    [Fact]
    public async Task Random_bodies_never_get_a_500_or_an_exception_in_the_log()
    {
        var mark = service.Logs.Lines.Count;
        var requests = 0;
        await Gen.Select(Gen.Int[0, Endpoints.Length - 1], Body).SampleAsync(
            async (endpoint, body) =>
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await service.Client.PostAsync(Endpoints[endpoint], content, TestContext.Current.CancellationToken);
                Interlocked.Increment(ref requests);
                var status = (int)response.StatusCode;
                Assert.True(status is 200 or 400 or 413 or 429, $"{Endpoints[endpoint]} answered {status} to {Convert.ToHexString(body)}");
                if (status != 200)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            },
            iter: 600,
            time: 60,
            threads: 2,
            seed: "0N0XIzNsQ0O2");
        Assert.True(requests >= 100, $"only {requests} requests ran");
        var loud = service.Logs.Lines.Skip(mark).Where(line => line.Exception is not null || line.Level >= LogLevel.Warning).ToArray();
        Assert.True(loud.Length == 0, string.Join('\n', loud.Select(l => l.ToString())));
    }
}
