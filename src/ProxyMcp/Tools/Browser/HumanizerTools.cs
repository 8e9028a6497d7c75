using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Humanizer;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Browser;

/// <summary>
/// humanizer_move, humanizer_click, humanizer_type, humanizer_scroll, humanizer_idle (spec 5.11): human-like input on a
/// launched browser, in the style its launch chose (humanize, human_preset). Every call takes an optional seed and reports
/// the seed it used, so the same call replays the same path and timings. Failures use the humanizer's own envelope
/// {status:"error", target_id, action, error}.
/// </summary>
[McpServerToolType]
public sealed class HumanizerTools(ProxyRuntime runtime)
{
    /// <summary>humanizer_idle's longest wait (proxy-mcp had none, weakness 55).</summary>
    public const int MaxIdleMs = 300_000;

    private const string SeedDescription = "Random seed (whole number ≥ 0): the same seed replays the same path and timings. Default: a new one, reported back.";

    [McpServerTool(Name = "humanizer_move")]
    [Description("Move the mouse to (x, y) in viewport CSS pixels along a human-like path: a curved Bézier with Fitts's-law timing, " +
                 "slow-fast-slow speed, slight tremor and sometimes an overshoot with a correction.")]
    public Task<CallToolResult> MoveAsync(
        [Description("Browser target id.")] string target_id,
        [Description("Destination x, CSS pixels from the viewport's left edge.")] double x,
        [Description("Destination y, CSS pixels from the viewport's top edge.")] double y,
        [Description(SeedDescription)] double? seed = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(target_id, "move", async (target, page) =>
        {
            var destination = new ScreenPoint(Coordinate(x, "x"), Coordinate(y, "y"));
            var outcome = await HumanInput.MoveAsync(page, target.Input, destination, Seed(seed), cancellationToken);
            var result = Start(target, "move");
            result["destination"] = Point(destination);
            result["seed"] = outcome.Seed;
            var stats = Stats(outcome);
            AddPath(stats, outcome.Path);
            if (outcome.Path is { } path)
            {
                stats["distance_px"] = Math.Round(path.DistancePx, 1);
                stats["fitts_ms"] = Math.Round(path.FittsMs, 1);
            }
            result["stats"] = stats;
            return result;
        });

    [McpServerTool(Name = "humanizer_click")]
    [Description("Click an element (or coordinates) like a person: wait until it is actionable, move along a human-like path to a point " +
                 "near its centre, settle, press and release with a human hold time. Target precedence: selector > role (+ name) > " +
                 "text > label > x+y.")]
    public Task<CallToolResult> ClickAsync(
        [Description("Browser target id.")] string target_id,
        [Description("CSS or XPath selector (or aria-ref=eN from an ai snapshot).")] string? selector = null,
        [Description("ARIA role, e.g. button, link, textbox (with optional name).")] string? role = null,
        [Description("Accessible name for role.")] string? name = null,
        [Description("Visible text of the element.")] string? text = null,
        [Description("Label text of a form field.")] string? label = null,
        [Description("x coordinate fallback (needs y).")] double? x = null,
        [Description("y coordinate fallback (needs x).")] double? y = null,
        [Description("left, right or middle.")] [AllowedValues("left", "right", "middle")] string button = "left",
        [Description("1 = click, 2 = double click, 3 = triple click.")] double click_count = 1,
        [Description("How long to wait for the element to become actionable, ms.")] double timeout_ms = 15_000,
        [Description(SeedDescription)] double? seed = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(target_id, "click", async (target, page) =>
        {
            var clickTarget = new ClickTarget
            {
                Selector = ToolArguments.OptionalText(selector),
                Role = ToolArguments.OptionalText(role),
                Name = ToolArguments.OptionalText(name),
                Text = ToolArguments.OptionalText(text),
                Label = ToolArguments.OptionalText(label),
                X = x is { } cx ? Coordinate(cx, "x") : null,
                Y = y is { } cy ? Coordinate(cy, "y") : null,
            };
            var pointer = ToolArguments.OptionalChoice(button, "button", "left", "right", "middle") switch
            {
                "right" => PointerButton.Right,
                "middle" => PointerButton.Middle,
                _ => PointerButton.Left,
            };
            var clicks = ToolArguments.Integer(click_count, "click_count", 1, 3);
            var timeout = ToolArguments.Integer(timeout_ms, "timeout_ms", 0, 600_000);
            var outcome = await HumanInput.ClickAsync(page, target.Input, clickTarget, pointer, clicks, timeout, Seed(seed), cancellationToken);
            var result = Start(target, "click");
            result["resolved_by"] = outcome.ResolvedBy;
            result["clicked_at"] = Point(outcome.Position!.Value);
            result["button"] = pointer.ToString().ToLowerInvariant();
            result["click_count"] = clicks;
            result["seed"] = outcome.Seed;
            var stats = Stats(outcome);
            AddPath(stats, outcome.Path);
            result["stats"] = stats;
            return result;
        });

    [McpServerTool(Name = "humanizer_type")]
    [Description("Type text into the focused element at a human rhythm: words-per-minute pacing with per-key variation (common bigrams " +
                 "faster, Shift and word starts slower) and optional typos that are corrected with Backspace. Click the field first.")]
    public Task<CallToolResult> TypeAsync(
        [Description("Browser target id.")] string target_id,
        [Description("Text to type (\\n presses Enter, \\t Tab).")] string text,
        [Description("Extra delay added to every key interval, ms (without humanize: the fixed interval).")] double? delay_ms = null,
        [Description("Typing speed in words per minute, 10-200 (default: the preset's, about 62 or 42 careful).")] double? wpm = null,
        [Description("Chance per letter of a corrected typo, 0-0.2 (default 0).")] double? typo_rate = null,
        [Description(SeedDescription)] double? seed = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(target_id, "type", async (target, page) =>
        {
            if (string.IsNullOrEmpty(text)) throw new McpException("text must not be empty");
            var extra = ToolArguments.OptionalInteger(delay_ms, "delay_ms", 0, 10_000) ?? 0;
            if (wpm is { } w && (!double.IsFinite(w) || w < 10 || w > 200)) throw new McpException($"wpm must be between 10 and 200 (got {w})");
            if (typo_rate is { } t && (!double.IsFinite(t) || t < 0 || t > 0.2)) throw new McpException($"typo_rate must be between 0 and 0.2 (got {t})");
            var options = new TypingOptions(wpm, typo_rate ?? 0, extra);
            var outcome = await HumanInput.TypeAsync(page, target.Input, text, options, Seed(seed), cancellationToken);
            var typing = outcome.Typing!;
            var result = Start(target, "type");
            result["text_length"] = text.Length;
            result["seed"] = outcome.Seed;
            var stats = Stats(outcome);
            stats["chars_typed"] = typing.Characters;
            stats["typos"] = typing.Typos;
            stats["backspaces"] = typing.Backspaces;
            stats["wpm"] = typing.Wpm;
            result["stats"] = stats;
            return result;
        });

    [McpServerTool(Name = "humanizer_scroll")]
    [Description("Scroll with the mouse wheel where the pointer is: a burst of wheel steps that speeds up and slows down and adds up " +
                 "exactly to the requested delta (positive delta_y scrolls down).")]
    public Task<CallToolResult> ScrollAsync(
        [Description("Browser target id.")] string target_id,
        [Description("Vertical pixels (positive = down).")] double delta_y,
        [Description("Horizontal pixels (positive = right).")] double delta_x = 0,
        [Description(SeedDescription)] double? seed = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(target_id, "scroll", async (target, page) =>
        {
            var dy = ToolArguments.Integer(delta_y, "delta_y", -100_000, 100_000);
            var dx = ToolArguments.Integer(delta_x, "delta_x", -100_000, 100_000);
            var outcome = await HumanInput.ScrollAsync(page, target.Input, dx, dy, Seed(seed), cancellationToken);
            var result = Start(target, "scroll");
            result["delta"] = new JsonObject { ["x"] = dx, ["y"] = dy };
            result["seed"] = outcome.Seed;
            var stats = Stats(outcome);
            stats["steps"] = outcome.ScrollSteps;
            result["stats"] = stats;
            return result;
        });

    [McpServerTool(Name = "humanizer_idle")]
    [Description("Stay on the page like an idle user for duration_ms (at most 300000): small mouse drifts and, now and then, a tiny scroll.")]
    public Task<CallToolResult> IdleAsync(
        [Description("Browser target id.")] string target_id,
        [Description("How long, ms (0-300000).")] double duration_ms,
        [Description("subtle (few, tiny movements) or normal.")] [AllowedValues("subtle", "normal")] string intensity = "subtle",
        [Description(SeedDescription)] double? seed = null,
        CancellationToken cancellationToken = default) =>
        RunAsync(target_id, "idle", async (target, page) =>
        {
            var duration = ToolArguments.Integer(duration_ms, "duration_ms", 0, MaxIdleMs);
            var level = ToolArguments.OptionalChoice(intensity, "intensity", "subtle", "normal") == "normal" ? IdleIntensity.Normal : IdleIntensity.Subtle;
            var outcome = await HumanInput.IdleAsync(page, target.Input, duration, level, Seed(seed), cancellationToken);
            var result = Start(target, "idle");
            result["requested_ms"] = duration;
            result["intensity"] = level == IdleIntensity.Normal ? "normal" : "subtle";
            result["seed"] = outcome.Seed;
            result["stats"] = new JsonObject
            {
                ["total_ms"] = outcome.Playback.TotalMs,
                ["events_dispatched"] = outcome.Playback.EventsDispatched,
                ["moves"] = outcome.Idle!.Moves,
                ["scrolls"] = outcome.Idle.Scrolls,
            };
            return result;
        });

    /// <summary>Resolves the target and page, runs the action, and wraps any failure in the humanizer's error envelope.</summary>
    private async Task<CallToolResult> RunAsync(string targetId, string action, Func<BrowserTarget, Microsoft.Playwright.IPage, Task<JsonObject>> body)
    {
        var id = targetId?.Trim() ?? "";
        try
        {
            if (id.Length == 0) throw new McpException("target_id must not be empty");
            var target = BrowserAccess.Target(runtime, id);
            var page = BrowserAccess.Page(target);
            var result = await BrowserAccess.RunAsync(target, () => body(target, page));
            return ToolResult.Ok(result);
        }
        catch (McpException e) when (e is not McpProtocolException)
        {
            var error = new JsonObject { ["status"] = "error", ["target_id"] = id, ["action"] = action, ["error"] = e.Message };
            return new CallToolResult { Content = [new TextContentBlock { Text = JsonText.Compact(error) }], IsError = true };
        }
    }

    private static JsonObject Start(BrowserTarget target, string action)
    {
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["action"] = action;
        return result;
    }

    private static JsonObject Stats(HumanizerOutcome outcome) => new()
    {
        ["total_ms"] = outcome.Playback.TotalMs,
        ["events_dispatched"] = outcome.Playback.EventsDispatched,
        ["moves_skipped"] = outcome.Playback.MovesSkipped,
        ["planned_ms"] = Math.Round(outcome.PlannedMs, 1),
        ["humanized"] = outcome.Humanized,
    };

    private static void AddPath(JsonObject stats, MousePath? path)
    {
        stats["path_points"] = path?.Steps.Count ?? 1;
        stats["overshoot"] = path?.Overshoot ?? false;
    }

    private static JsonObject Point(ScreenPoint point) => new() { ["x"] = point.X, ["y"] = point.Y };

    private static double Coordinate(double value, string name) =>
        double.IsFinite(value) && value is >= -100_000 and <= 100_000 ? value : throw new McpException($"{name} must be a number between -100000 and 100000 (got {value})");

    private static int Seed(double? seed) =>
        seed is { } s ? ToolArguments.Integer(s, "seed", 0, int.MaxValue) : HumanRandom.NewSeed();
}
