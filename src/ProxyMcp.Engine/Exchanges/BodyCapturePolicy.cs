namespace ProxyMcp.Engine.Exchanges;

/// <summary>
/// Turns on complete-body capture (the "full" session profile). Bodies up to <see cref="InlineBytes"/> stay in memory,
/// larger ones spill to files in <see cref="SpoolDirectory"/>; nothing beyond <see cref="MaxBytes"/> per body is kept.
/// </summary>
public sealed record BodyCapturePolicy(string SpoolDirectory, long MaxBytes = 256L * 1024 * 1024, int InlineBytes = 1024 * 1024);
