using Microsoft.Playwright;

namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>A Playwright page's mouse and keyboard as an <see cref="IInputDevice"/>: every event is a real CDP input event.</summary>
public sealed class PageInputDevice(IPage page) : IInputDevice
{
    public Task MoveAsync(double x, double y, CancellationToken cancellationToken) =>
        page.Mouse.MoveAsync((float)x, (float)y).WaitAsync(cancellationToken);

    public Task DownAsync(PointerButton button, int clickCount, CancellationToken cancellationToken) =>
        page.Mouse.DownAsync(new MouseDownOptions { Button = Map(button), ClickCount = clickCount }).WaitAsync(cancellationToken);

    public Task UpAsync(PointerButton button, int clickCount, CancellationToken cancellationToken) =>
        page.Mouse.UpAsync(new MouseUpOptions { Button = Map(button), ClickCount = clickCount }).WaitAsync(cancellationToken);

    public Task TypeAsync(string text, CancellationToken cancellationToken) =>
        page.Keyboard.TypeAsync(text).WaitAsync(cancellationToken);

    public Task PressAsync(string key, CancellationToken cancellationToken) =>
        page.Keyboard.PressAsync(key).WaitAsync(cancellationToken);

    public Task WheelAsync(double deltaX, double deltaY, CancellationToken cancellationToken) =>
        page.Mouse.WheelAsync((float)deltaX, (float)deltaY).WaitAsync(cancellationToken);

    private static MouseButton Map(PointerButton button) => button switch
    {
        PointerButton.Right => MouseButton.Right,
        PointerButton.Middle => MouseButton.Middle,
        _ => MouseButton.Left,
    };
}
