namespace ProxyMcp.Capture.Sessions;

/// <summary>How far a long operation (export, import, replay, recovery) has got; <see cref="Total"/> is null when unknown.</summary>
public readonly record struct SessionProgress(long Done, long? Total, string Message);
