namespace ProxyMcp.Capture.Sessions;

/// <summary>What a session keeps of each body: the previews only, or the complete raw wire bytes as well.</summary>
public enum CaptureProfile
{
    Preview,
    Full,
}

/// <summary>The profile names used in tool arguments and manifests.</summary>
public static class CaptureProfiles
{
    public static string Name(this CaptureProfile profile) => profile == CaptureProfile.Full ? "full" : "preview";

    public static CaptureProfile Parse(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        null or "" or "preview" => CaptureProfile.Preview,
        "full" => CaptureProfile.Full,
        _ => throw new SessionException($"Unknown capture_profile '{name}' (expected preview or full)."),
    };
}
