namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>An element's bounding box in viewport CSS pixels.</summary>
public readonly record struct TargetBox(double X, double Y, double Width, double Height)
{
    public ScreenPoint Centre => new(X + Width / 2, Y + Height / 2);
}
