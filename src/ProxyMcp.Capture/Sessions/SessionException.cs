namespace ProxyMcp.Capture.Sessions;

/// <summary>A session operation that cannot be carried out; the message is meant for the agent and says what to do.</summary>
public sealed class SessionException : Exception
{
    public SessionException(string message) : base(message) { }

    public SessionException(string message, Exception inner) : base(message, inner) { }
}
