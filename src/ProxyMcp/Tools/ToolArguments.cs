using System.Globalization;
using System.Net;
using ModelContextProtocol;

namespace ProxyMcp.Tools;

/// <summary>
/// Argument checks shared by the tools. Numbers arrive as JSON numbers (the spec declares them "number"),
/// so integrality and range are checked here, each failure naming the argument and what to send instead.
/// </summary>
internal static class ToolArguments
{
    public static int Integer(double value, string name, int min, int max)
    {
        RequireWhole(value, name);
        if (value < min || value > max)
        {
            throw new McpException($"{name} must be between {min} and {max} (got {Format(value)})");
        }
        return (int)value;
    }

    public static int? OptionalInteger(double? value, string name, int min, int max) =>
        value is { } v ? Integer(v, name, min, max) : null;

    /// <summary>
    /// A page size or similar bound: a whole number, silently clamped into [min, max] as proxy-mcp clamps it, so a call
    /// that worked there (limit 10000, offset -1) works here too.
    /// </summary>
    public static int Clamped(double value, string name, int min, int max)
    {
        RequireWhole(value, name);
        return (int)Math.Clamp(value, min, max);
    }

    private static void RequireWhole(double value, string name)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value != Math.Floor(value))
            throw new McpException($"{name} must be a whole number (got {Format(value)})");
    }

    /// <summary>Null for a missing or blank string, which agents often send to mean "no filter".</summary>
    public static string? OptionalText(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public static string RequiredText(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new McpException($"{name} must not be empty") : value;

    public static IPAddress? OptionalIpAddress(string? value, string name)
    {
        if (OptionalText(value) is not { } text) return null;
        var trimmed = text.Trim();
        if (trimmed.StartsWith('[') && trimmed.EndsWith(']')) trimmed = trimmed[1..^1];
        return IPAddress.TryParse(trimmed, out var address)
            ? address
            : throw new McpException($"{name} must be an IP address such as 127.0.0.1, 0.0.0.0 or ::1 (got '{text}')");
    }

    /// <summary>One of <paramref name="allowed"/>, compared case-insensitively; returns the canonical spelling.</summary>
    public static string? OptionalChoice(string? value, string name, params string[] allowed)
    {
        if (OptionalText(value) is not { } text) return null;
        foreach (var choice in allowed)
        {
            if (string.Equals(choice, text.Trim(), StringComparison.OrdinalIgnoreCase)) return choice;
        }
        throw new McpException($"unknown {name} '{text}' (expected {string.Join(" or ", allowed)})");
    }

    /// <summary>An HTTP method token (RFC 9110), upper-cased like the original's filter.</summary>
    public static string? OptionalMethod(string? value, string name)
    {
        if (OptionalText(value) is not { } text) return null;
        var trimmed = text.Trim();
        foreach (var c in trimmed)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                throw new McpException($"{name} must be an HTTP method such as GET or POST (got '{text}')");
            }
        }
        return trimmed.ToUpperInvariant();
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
