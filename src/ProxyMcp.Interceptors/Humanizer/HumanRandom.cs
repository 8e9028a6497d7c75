namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// The only source of randomness of the humanizer: seeded, so one seed always yields the same paths and timings
/// (seeded <see cref="Random"/> keeps its sequence across .NET versions).
/// </summary>
public sealed class HumanRandom
{
    private readonly Random _random;

    public HumanRandom(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    public int Seed { get; }

    /// <summary>A fresh seed for a call that did not ask for one; reported back so the call can be replayed.</summary>
    public static int NewSeed() => Random.Shared.Next(1, int.MaxValue);

    public double NextDouble() => _random.NextDouble();

    public double Uniform(double min, double max) => min + (max - min) * _random.NextDouble();

    /// <summary>A whole number in [min, max], both included.</summary>
    public int Integer(int min, int max) => _random.Next(min, max + 1);

    public bool Chance(double probability) => _random.NextDouble() < probability;

    /// <summary>Normal distribution (Box–Muller).</summary>
    public double Gaussian(double mean, double standardDeviation)
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return mean + standardDeviation * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>A normal draw clamped to [min, max]: human timings vary, but never absurdly.</summary>
    public double Gaussian(double mean, double standardDeviation, double min, double max) =>
        Math.Clamp(Gaussian(mean, standardDeviation), min, max);
}
