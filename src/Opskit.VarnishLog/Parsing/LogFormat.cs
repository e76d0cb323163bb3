namespace Opskit.VarnishLog.Parsing;

/// <summary>The varnishlog text layouts vlogdump reads; chosen from the first decisive line.</summary>
public enum LogFormat
{
    /// <summary>Nothing decisive seen yet.</summary>
    Unknown,

    /// <summary>Varnish 2.1 and 3.0: <c>%5u %-12s %c %s</c>, records interleaved by session (file descriptor).</summary>
    Legacy,

    /// <summary>Varnish 4.x-7.x <c>-g raw</c>: <c>%10u %-14s %c %s</c>, records interleaved by vxid.</summary>
    Raw,

    /// <summary>Varnish 4.x-7.x grouped (<c>-g vxid|request|session</c>): <c>*   &lt;&lt; Request  &gt;&gt; N</c> blocks.</summary>
    Grouped,

    /// <summary>Varnish 4.1-7.x binary files (<c>varnishlog -w</c>), read record by record as raw output would be.</summary>
    Binary,
}
