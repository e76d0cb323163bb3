namespace Opskit.ReplCheck.Server;

/// <summary>
/// The server could not be checked: down, refused the login, lacks privileges, or did not answer in time. The
/// message is one line for the operator (no password, no stack trace); the check's result is UNKNOWN.
/// </summary>
public sealed class ServerUnavailableException : Exception
{
    /// <summary>Creates the exception with the reason.</summary>
    public ServerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the reason and its cause.</summary>
    public ServerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ServerUnavailableException()
    {
    }
}
