namespace Opskit.Statsd;

/// <summary>A listener could not be opened (address in use, not available, no permission): exit code 2.</summary>
internal sealed class ListenException : Exception
{
    public ListenException(string what, string reason, Exception inner)
        : base($"cannot listen on {what}: {reason}", inner)
    {
        What = what;
    }

    public ListenException()
    {
        What = string.Empty;
    }

    public ListenException(string message)
        : base(message)
    {
        What = string.Empty;
    }

    public ListenException(string message, Exception inner)
        : base(message, inner)
    {
        What = string.Empty;
    }

    /// <summary>Which listener, e.g. <c>UDP 127.0.0.1:8125</c>.</summary>
    public string What { get; }
}
