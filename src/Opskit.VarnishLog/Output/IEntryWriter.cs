using Opskit.VarnishLog.Parsing;

namespace Opskit.VarnishLog.Output;

/// <summary>Writes one finished request in an output format.</summary>
internal interface IEntryWriter
{
    void Write(RequestRecord record);
}

/// <summary>The <c>--format</c> values.</summary>
internal enum OutputFormat
{
    /// <summary>The original script's two lines per request.</summary>
    Text,
    Json,
    Ncsa,
    Tsv,
}
