namespace ProxyMcp.Tests.Support;

/// <summary>A generous per-operation deadline, so a hang fails the test instead of the whole run.</summary>
public static class TestTimeout
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);

    public static CancellationToken Token() => new CancellationTokenSource(Default).Token;
}
