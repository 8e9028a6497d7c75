namespace ProxyMcp.Engine.Rules;

/// <summary>A rule that cannot work as written; the message says what to fix. Nothing is stored when it is thrown.</summary>
public sealed class RuleValidationException(string message) : Exception(message);
