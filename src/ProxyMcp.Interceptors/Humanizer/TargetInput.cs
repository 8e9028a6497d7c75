namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// The input state of one browser target: its input style (from launch's humanize/human_preset), the last known pointer
/// position (starts at 0,0 as in proxy-mcp) and a gate so two actions on one page never interleave their events.
/// Owned by the target, so it goes away with it (proxy-mcp kept it forever, weakness 55).
/// </summary>
public sealed class TargetInput(InputStyle style)
{
    private readonly Lock _lock = new();
    private ScreenPoint _position;

    public InputStyle Style { get; } = style;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public ScreenPoint Position
    {
        get
        {
            lock (_lock) return _position;
        }
        set
        {
            lock (_lock) _position = value;
        }
    }
}
