namespace ProxyMcp.Interceptors;

/// <summary>A failure whose message is meant for the agent as it is (the bare messages proxy-mcp's interceptor tools use).</summary>
public sealed class InterceptorException : Exception
{
    public InterceptorException(string message) : base(message)
    {
    }

    public InterceptorException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
