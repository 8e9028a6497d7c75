using System.Text;
using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Humanizer;

public sealed class TypingPlannerTests
{
    /// <summary>What a text field holds after the keys: typed text appended, Backspace removes the last character.</summary>
    private static string Replay(InputScript script)
    {
        var text = new List<string>();
        foreach (var action in script.Actions)
        {
            switch (action.Kind, action.Key)
            {
                case (InputActionKind.Type, { } key): text.Add(key); break;
                case (InputActionKind.Press, "Backspace"): text.RemoveAt(text.Count - 1); break;
                case (InputActionKind.Press, "Enter"): text.Add("\n"); break;
                case (InputActionKind.Press, "Tab"): text.Add("\t"); break;
                default: throw new InvalidOperationException($"unexpected {action}");
            }
        }
        return string.Concat(text);
    }

    [Theory]
    [InlineData("hello world")]
    [InlineData("The quick brown fox jumps over the lazy dog.\nSecond line\twith a tab, Ünïcode and 👍 emoji")]
    [InlineData("a")]
    public void Typed_text_ends_up_exactly_as_requested_even_with_typos(string text)
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var plan = TypingPlanner.Plan(text, HumanProfile.Default, new HumanRandom(seed), new TypingOptions(TypoRate: 0.2));
            Assert.Equal(text, Replay(plan.Script));
            Assert.Equal(plan.Typos, plan.Script.Actions.Count(a => a.Key == "Backspace"));
        }
    }

    [Fact]
    public void Typos_replace_a_letter_by_a_neighbouring_key_and_are_corrected_after_a_pause()
    {
        var plans = Enumerable.Range(0, 100)
            .Select(seed => TypingPlanner.Plan("typing practice", HumanProfile.Default, new HumanRandom(seed), new TypingOptions(TypoRate: 0.1)))
            .ToList();
        Assert.True(plans.Sum(p => p.Typos) > 50, "some typos happen");
        foreach (var plan in plans)
        {
            var actions = plan.Script.Actions;
            for (var i = 0; i < actions.Count; i++)
            {
                if (actions[i].Key != "Backspace") continue;
                var wrong = actions[i - 1].Key![0];
                var right = actions[i + 1].Key![0];
                Assert.NotEqual(right, wrong);
                Assert.Contains(wrong, KeyboardLayout.Neighbours(right));
                Assert.True(actions[i].AtMs - actions[i - 1].AtMs >= 120, "noticing a typo takes a moment");
            }
        }
        Assert.All(Enumerable.Range(0, 20), seed =>
            Assert.Equal(0, TypingPlanner.Plan("no typos here", HumanProfile.Default, new HumanRandom(seed)).Typos));
    }

    [Fact]
    public void The_average_speed_matches_the_requested_words_per_minute()
    {
        var text = string.Concat(Enumerable.Repeat("the rain in spain stays mainly in the plain ", 10));
        foreach (var wpm in new[] { 30.0, 60.0, 120.0 })
        {
            var plan = TypingPlanner.Plan(text, HumanProfile.Default, new HumanRandom(5), new TypingOptions(Wpm: wpm));
            var effective = text.Length / 5.0 / (plan.Script.PlannedMs / 60_000);
            Assert.InRange(effective, wpm * 0.75, wpm * 1.25);
            Assert.Equal(wpm, plan.Wpm);
        }
        var careful = TypingPlanner.Plan(text, HumanProfile.Careful, new HumanRandom(5));
        var normal = TypingPlanner.Plan(text, HumanProfile.Default, new HumanRandom(5));
        Assert.True(careful.Script.PlannedMs > normal.Script.PlannedMs);
    }

    [Fact]
    public void Bigrams_and_keys_shape_the_rhythm()
    {
        // "th" is a common bigram across hands; "tr" stays on the left hand.
        Assert.True(TypingPlanner.Factor("t", "h") < TypingPlanner.Factor("t", "r"));
        Assert.True(TypingPlanner.Factor("a", "B") > TypingPlanner.Factor("a", "b")); // Shift
        Assert.True(TypingPlanner.Factor(".", "t") > TypingPlanner.Factor("s", "t")); // sentence start
        Assert.True(TypingPlanner.Factor(" ", "w") > TypingPlanner.Factor("o", "w")); // word start
        Assert.True(TypingPlanner.Factor("a", "7") > TypingPlanner.Factor("a", "u")); // digit
    }

    [Fact]
    public void Same_seed_same_keys_and_times_and_extra_delay_is_added_to_every_interval()
    {
        var a = TypingPlanner.Plan("deterministic", HumanProfile.Default, new HumanRandom(9), new TypingOptions(TypoRate: 0.1));
        var b = TypingPlanner.Plan("deterministic", HumanProfile.Default, new HumanRandom(9), new TypingOptions(TypoRate: 0.1));
        Assert.Equal(a.Script.Actions, b.Script.Actions);

        var slow = TypingPlanner.Plan("deterministic", HumanProfile.Default, new HumanRandom(9), new TypingOptions(TypoRate: 0.1, ExtraDelayMs: 100));
        Assert.True(slow.Script.PlannedMs >= a.Script.PlannedMs + 100 * "deterministic".Length - 1);
    }

    [Fact]
    public void Direct_typing_uses_a_fixed_interval()
    {
        var plan = TypingPlanner.Direct("abc\n", 50);
        Assert.Equal([0.0, 50, 100, 150], plan.Script.Actions.Select(a => a.AtMs));
        Assert.Equal("abc\n", Replay(plan.Script));
        Assert.Equal(4, plan.Characters);
    }

    [Fact]
    public void Keyboard_neighbours_are_adjacent_keys_of_the_same_kind()
    {
        Assert.Equal(['f', 'h', 't', 'b'], KeyboardLayout.Neighbours('g'));
        Assert.Equal(['F', 'H', 'T', 'B'], KeyboardLayout.Neighbours('G'));
        Assert.Empty(KeyboardLayout.Neighbours('é'));
        Assert.True(KeyboardLayout.IsLeftHand('q'));
        Assert.False(KeyboardLayout.IsLeftHand('p'));
        Assert.Null(KeyboardLayout.IsLeftHand(' '));
        Assert.True(KeyboardLayout.NeedsShift('?'));
    }
}
