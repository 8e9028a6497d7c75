namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>
/// How a browser target's input is produced: humanized with a profile, or direct (one event per action, no delays)
/// when the browser was launched with humanize=false.
/// </summary>
public sealed record InputStyle(bool Humanize, HumanProfile Profile)
{
    public static InputStyle Humanized(HumanProfile profile) => new(true, profile);

    public static InputStyle Direct { get; } = new(false, HumanProfile.Default);
}
