namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>A position in CSS pixels relative to the page's viewport.</summary>
public readonly record struct ScreenPoint(double X, double Y)
{
    public double DistanceTo(ScreenPoint other) => Math.Sqrt((other.X - X) * (other.X - X) + (other.Y - Y) * (other.Y - Y));

    /// <summary>Rounded to hundredths of a pixel, so planned paths print and compare exactly.</summary>
    public ScreenPoint Rounded() => new(Math.Round(X, 2), Math.Round(Y, 2));
}
