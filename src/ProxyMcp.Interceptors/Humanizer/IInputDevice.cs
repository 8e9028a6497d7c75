namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>Where planned input goes: a browser page's mouse and keyboard, or a recorder in tests.</summary>
public interface IInputDevice
{
    Task MoveAsync(double x, double y, CancellationToken cancellationToken);
    Task DownAsync(PointerButton button, int clickCount, CancellationToken cancellationToken);
    Task UpAsync(PointerButton button, int clickCount, CancellationToken cancellationToken);
    Task TypeAsync(string text, CancellationToken cancellationToken);
    Task PressAsync(string key, CancellationToken cancellationToken);
    Task WheelAsync(double deltaX, double deltaY, CancellationToken cancellationToken);
}
