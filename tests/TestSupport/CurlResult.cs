using System.Text;

namespace ProxyMcp.TestSupport;

/// <summary>What one curl run produced.</summary>
public sealed record CurlResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    public string StdoutText => Encoding.UTF8.GetString(Stdout);

    /// <summary>Returns this result, or throws with curl's stderr when it exited non-zero.</summary>
    public CurlResult EnsureSuccess() =>
        Succeeded ? this : throw new InvalidOperationException($"curl exited with {ExitCode}: {Stderr.Trim()}");
}
