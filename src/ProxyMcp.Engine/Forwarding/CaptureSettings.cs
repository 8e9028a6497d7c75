using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Forwarding;

/// <summary>Capture switches that change while the listener runs; read once per request without locking.</summary>
internal sealed class CaptureSettings
{
    private BodyCapturePolicy? _bodyCapture;

    public BodyCapturePolicy? BodyCapture
    {
        get => Volatile.Read(ref _bodyCapture);
        set => Volatile.Write(ref _bodyCapture, value);
    }
}
