using System.Globalization;

namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>What a typing plan did, besides its script.</summary>
/// <param name="Script">The key events with their times.</param>
/// <param name="Characters">Text elements of the requested text (what ends up typed).</param>
/// <param name="Typos">Wrong keys typed and corrected.</param>
/// <param name="Backspaces">Backspace presses (one per typo).</param>
/// <param name="Wpm">The speed the plan was drawn for, words of 5 characters per minute.</param>
public sealed record TypingPlan(InputScript Script, int Characters, int Typos, int Backspaces, double Wpm);

/// <summary>Options of one typing call.</summary>
/// <param name="Wpm">Speed; null draws one around the profile's speed.</param>
/// <param name="TypoRate">Chance per letter of hitting a neighbouring key first and correcting it (0 = never).</param>
/// <param name="ExtraDelayMs">Added to every interval (humanizer_type's delay_ms).</param>
public sealed record TypingOptions(double? Wpm = null, double TypoRate = 0, double ExtraDelayMs = 0);

/// <summary>
/// Plans typing at a words-per-minute speed with per-key variation: common English bigrams and hand alternation are
/// quicker, same-hand sequences, Shift, digits and word starts slower, sentence ends slower still, with log-normal noise on
/// every interval. Optional typos hit a neighbouring key, pause as if noticing, press Backspace and type the right key,
/// so the typed text always ends up exactly as requested. Pure: the same seed gives the same keys and timings.
/// </summary>
public static class TypingPlanner
{
    private static readonly HashSet<string> CommonBigrams = new(StringComparer.Ordinal)
    {
        "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed", "is", "it", "al", "ar",
        "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co", "me", "de", "hi", "ri", "ro", "ic", "ne", "ea",
        "ra", "ce", "li", "ch", "ll", "be", "ma", "si", "om", "ur",
    };

    /// <summary>Mean interval between keys at a speed: a word is 5 characters.</summary>
    public static double MeanIntervalMs(double wpm) => 60_000 / (wpm * 5);

    public static TypingPlan Plan(string text, HumanProfile profile, HumanRandom random, TypingOptions? options = null)
    {
        options ??= new TypingOptions();
        var wpm = options.Wpm ?? random.Gaussian(profile.TypingWpm, profile.TypingWpmSd, profile.TypingWpm * 0.6, profile.TypingWpm * 1.4);
        var mean = MeanIntervalMs(wpm);
        var actions = new List<InputAction>();
        var elements = TextElements(text);
        // Reaction time before the first key.
        var at = random.Gaussian(mean * 1.2, mean * 0.3, mean * 0.5, mean * 2.5) + options.ExtraDelayMs;
        string? previous = null;
        var typos = 0;
        foreach (var element in elements)
        {
            var interval = mean * Factor(previous, element) * Math.Exp(random.Gaussian(0, profile.KeyIntervalSpread));
            interval = Math.Clamp(interval, 25, mean * 5) + options.ExtraDelayMs;
            if (previous is not null) at += interval;
            if (options.TypoRate > 0 && element.Length == 1 && char.IsLetter(element[0]) && random.Chance(options.TypoRate)
                && KeyboardLayout.Neighbours(element[0]) is { Count: > 0 } neighbours)
            {
                var wrong = neighbours[random.Integer(0, neighbours.Count - 1)];
                actions.Add(Key(at, wrong.ToString()));
                at += random.Gaussian(profile.TypoNoticeMeanMs, profile.TypoNoticeMeanMs * 0.3, 120, profile.TypoNoticeMeanMs * 3);
                actions.Add(InputAction.Press(Math.Round(at, 1), "Backspace"));
                at += mean * Math.Exp(random.Gaussian(0, profile.KeyIntervalSpread)) * 0.9 + options.ExtraDelayMs;
                typos++;
            }
            actions.Add(Key(at, element));
            previous = element;
        }
        return new TypingPlan(new InputScript(actions), elements.Count, typos, typos, Math.Round(wpm, 1));
    }

    /// <summary>Typing without humanization: every key at a fixed interval (0 = all at once, as Playwright types).</summary>
    public static TypingPlan Direct(string text, double intervalMs)
    {
        var elements = TextElements(text);
        var actions = elements.Select((element, i) => Key(i * intervalMs, element)).ToList();
        return new TypingPlan(new InputScript(actions), elements.Count, 0, 0, intervalMs > 0 ? Math.Round(60_000 / (intervalMs * 5), 1) : 0);
    }

    /// <summary>How much slower (&gt; 1) or quicker (&lt; 1) than the mean the key <paramref name="current"/> comes after <paramref name="previous"/>.</summary>
    internal static double Factor(string? previous, string current)
    {
        if (current.Length != 1) return 1.3; // Composed characters (emoji, accents) take longer.
        var key = current[0];
        var factor = 1.0;
        if (previous is { Length: 1 } && CommonBigrams.Contains(string.Concat(char.ToLowerInvariant(previous[0]), char.ToLowerInvariant(key)))) factor *= 0.8;
        if (previous is { Length: 1 } p)
        {
            var before = p[0];
            if (before == key) factor *= 0.9;
            else if (KeyboardLayout.IsLeftHand(before) is { } left && KeyboardLayout.IsLeftHand(key) is { } right) factor *= left == right ? 1.1 : 0.9;
            if (before == ' ') factor *= 1.15;
            if (".!?;:".Contains(before)) factor *= 1.6;
            else if (before == ',') factor *= 1.3;
        }
        if (key == ' ') factor *= 0.9;
        if (KeyboardLayout.NeedsShift(key)) factor *= 1.25;
        if (char.IsAsciiDigit(key)) factor *= 1.2;
        if (key > 127) factor *= 1.3;
        return factor;
    }

    private static InputAction Key(double at, string element) => element switch
    {
        "\n" or "\r\n" => InputAction.Press(Math.Round(at, 1), "Enter"),
        "\t" => InputAction.Press(Math.Round(at, 1), "Tab"),
        _ => InputAction.Type(Math.Round(at, 1), element),
    };

    internal static List<string> TextElements(string text)
    {
        var elements = new List<string>(text.Length);
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) elements.Add(enumerator.GetTextElement());
        return elements;
    }
}
