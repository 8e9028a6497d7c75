using ProxyMcp.Capture.Replay;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Proxy;

/// <summary>
/// The persistent-session services of the process: the store (root <c>&lt;data dir&gt;/sessions</c> until a
/// <c>storage_dir</c> moves it), the recorder fed by the engine's completion event, and replay.
/// </summary>
public sealed class SessionRuntime : IAsyncDisposable
{
    private readonly DirectReplaySender _sender;

    public SessionRuntime(RuntimeSettings settings, ProxyRuntime proxy)
    {
        // Replays follow the same upstream proxies (global, per host, no_proxy, PAC) and origin certificate policy
        // (--upstream-ca roots, insecure flag of the last start) as live traffic, read at send time.
        _sender = new DirectReplaySender(new EngineUpstreams(proxy), () => proxy.OriginTrust);
        Store = new SessionStore(settings.SessionDirectory);
        // Complete-body capture is switched on in the engine only while a "full" session records.
        Recorder = new SessionRecorder(Store, policy => proxy.Engine.BodyCapture = policy);
        Replay = new SessionReplay(Store, Recorder, proxy.Capture, _sender);
    }

    public SessionStore Store { get; }

    public SessionRecorder Recorder { get; }

    public SessionReplay Replay { get; }

    public async ValueTask DisposeAsync()
    {
        await Recorder.DisposeAsync();
        _sender.Dispose();
    }
}
