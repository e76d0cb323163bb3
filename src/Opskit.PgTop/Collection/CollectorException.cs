namespace Opskit.PgTop.Collection;

/// <summary>A refresh failed: the server is unreachable, restarting, or refused us. The message is one line and safe to print.</summary>
internal sealed class CollectorException : Exception
{
    public CollectorException()
    {
    }

    public CollectorException(string message)
        : base(message)
    {
    }

    public CollectorException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
