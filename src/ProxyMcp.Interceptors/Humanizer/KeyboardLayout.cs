namespace ProxyMcp.Interceptors.Humanizer;

/// <summary>A US QWERTY keyboard: which hand types a key, which keys are neighbours (for plausible typos), what needs Shift.</summary>
internal static class KeyboardLayout
{
    private static readonly string[] Rows = ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./"];
    private const string LeftHand = "`12345qwertasdfgzxcvb~!@#$%QWERTASDFGZXCVB";
    private const string ShiftedSymbols = "~!@#$%^&*()_+{}|:\"<>?";

    /// <summary>Keys next to <paramref name="key"/> on the same row or directly above/below; empty for keys not on the layout.</summary>
    public static IReadOnlyList<char> Neighbours(char key)
    {
        var lower = char.ToLowerInvariant(key);
        for (var row = 0; row < Rows.Length; row++)
        {
            var column = Rows[row].IndexOf(lower);
            if (column < 0) continue;
            var neighbours = new List<char>();
            if (column > 0) neighbours.Add(Rows[row][column - 1]);
            if (column < Rows[row].Length - 1) neighbours.Add(Rows[row][column + 1]);
            foreach (var other in new[] { row - 1, row + 1 })
            {
                if (other >= 0 && other < Rows.Length && column < Rows[other].Length) neighbours.Add(Rows[other][column]);
            }
            // Stay in the same class of key: a letter mistyped as a letter reads as a typo, not as noise.
            var sameClass = neighbours.Where(n => char.IsLetter(n) == char.IsLetter(lower)).ToList();
            return char.IsUpper(key) ? [.. sameClass.Select(char.ToUpperInvariant)] : sameClass;
        }
        return [];
    }

    /// <summary>True for the left hand, false for the right, null for keys typed by the thumb or not on the layout.</summary>
    public static bool? IsLeftHand(char key)
    {
        if (key == ' ' || key > 127) return null;
        return LeftHand.Contains(key);
    }

    public static bool NeedsShift(char key) => char.IsAsciiLetterUpper(key) || ShiftedSymbols.Contains(key);
}
