using System.Diagnostics.CodeAnalysis;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>Result of <see cref="ClientHelloParser"/> or <see cref="ServerHelloParser"/>; never carries an exception.</summary>
/// <typeparam name="THello"><see cref="ClientHello"/> or <see cref="ServerHello"/>.</typeparam>
public readonly record struct HelloParseResult<THello>
    where THello : class
{
    private HelloParseResult(HelloParseStatus status, THello? hello, int length, string? reason)
    {
        Status = status;
        Hello = hello;
        Length = length;
        Reason = reason;
    }

    public HelloParseStatus Status { get; }

    /// <summary>The parsed hello when <see cref="Status"/> is <see cref="HelloParseStatus.Complete"/>.</summary>
    public THello? Hello { get; }

    /// <summary>
    /// For <see cref="HelloParseStatus.Complete"/>: number of input bytes, from the start, up to and including the last byte
    /// of the hello (record headers included). For <see cref="HelloParseStatus.NeedMoreData"/>: a lower bound of the total
    /// number of bytes the input must hold before parsing again can make progress (exact once the record and handshake
    /// headers have been seen). Zero otherwise.
    /// </summary>
    public int Length { get; }

    /// <summary>
    /// Why the input was rejected, for <see cref="HelloParseStatus.NotTls"/> and <see cref="HelloParseStatus.Invalid"/>.
    /// </summary>
    public string? Reason { get; }

    [MemberNotNullWhen(true, nameof(Hello))]
    public bool IsComplete => Status == HelloParseStatus.Complete;

    public static HelloParseResult<THello> Complete(THello hello, int length) =>
        new(HelloParseStatus.Complete, hello, length, null);

    public static HelloParseResult<THello> NeedMoreData(int requiredLength) =>
        new(HelloParseStatus.NeedMoreData, null, requiredLength, null);

    public static HelloParseResult<THello> NotTls(string reason) => new(HelloParseStatus.NotTls, null, 0, reason);

    public static HelloParseResult<THello> Invalid(string reason) => new(HelloParseStatus.Invalid, null, 0, reason);

    public override string ToString() => Status switch
    {
        HelloParseStatus.Complete => $"Complete({Length} bytes): {Hello}",
        HelloParseStatus.NeedMoreData => $"NeedMoreData(at least {Length} bytes)",
        _ => $"{Status}: {Reason}",
    };
}
