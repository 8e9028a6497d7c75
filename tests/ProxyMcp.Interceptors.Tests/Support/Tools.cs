namespace ProxyMcp.Interceptors.Tests.Support;

/// <summary>Which client programs this machine has, for tests that run them.</summary>
public static class Tools
{
    public static bool Has(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, program)));
}
