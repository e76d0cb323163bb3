using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;

namespace Opskit.Cluster.Embeddings;

/// <summary>
/// Reads <c>model.onnx</c> and <c>vocab.txt</c> from the embedded resources of a SentenceTransformers.* NuGet
/// assembly, which the build copies beside Opskit.Cluster under <c>models/</c>. The resources are read straight
/// from the PE file (no assembly load), so the 90 MB assembly is never mapped into the process for longer than
/// the read.
/// </summary>
internal static class ModelAssembly
{
    /// <summary>The folder the build copies model assemblies to.</summary>
    public static string Folder =>
        Path.Combine(Path.GetDirectoryName(typeof(ModelAssembly).Assembly.Location) ?? AppContext.BaseDirectory, "models");

    /// <summary>The ONNX bytes and vocab.txt text of <paramref name="assemblyPath"/>, whose resources are named <c><paramref name="prefix"/>.Resources.*</c>.</summary>
    public static (byte[] Onnx, string Vocabulary) Read(string assemblyPath, string prefix)
    {
        if (!File.Exists(assemblyPath))
        {
            throw new FileNotFoundException($"the model assembly is missing at {assemblyPath}", assemblyPath);
        }

        var modelResource = prefix + ".Resources.model.onnx";
        var vocabularyResource = prefix + ".Resources.vocab.txt";
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        var resourcesRva = pe.PEHeaders.CorHeader?.ResourcesDirectory.RelativeVirtualAddress
            ?? throw new InvalidDataException($"{assemblyPath} is not a .NET assembly");
        var section = pe.GetSectionData(resourcesRva);
        byte[]? onnx = null;
        string? vocabulary = null;
        foreach (var handle in metadata.ManifestResources)
        {
            var resource = metadata.GetManifestResource(handle);
            var name = metadata.GetString(resource.Name);
            if (name != modelResource && name != vocabularyResource)
            {
                continue;
            }

            // Each embedded resource is a 4-byte little-endian length followed by the bytes (ECMA-335 II.24.2.4).
            var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
            var length = reader.ReadInt32();
            var bytes = reader.ReadBytes(length);
            if (name == modelResource)
            {
                onnx = bytes;
            }
            else
            {
                vocabulary = Encoding.UTF8.GetString(bytes);
            }
        }

        return (
            onnx ?? throw new InvalidDataException($"{modelResource} is not in {assemblyPath}"),
            vocabulary ?? throw new InvalidDataException($"{vocabularyResource} is not in {assemblyPath}"));
    }
}
