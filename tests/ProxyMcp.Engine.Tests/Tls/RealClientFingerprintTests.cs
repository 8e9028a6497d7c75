using System.Security.Cryptography;
using System.Text;
using ProxyMcp.Engine.Tls.Fingerprints;
using Xunit.Abstractions;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>
/// JA3 and JA4 of ClientHellos sent by real clients (curl, openssl s_client, .NET SslStream) to a loopback listener,
/// checked against tshark's dissection of the same bytes. Cases whose tool is missing pass with a note in the output.
/// </summary>
public sealed class RealClientFingerprintTests(RealClientHelloCaptures captures, ITestOutputHelper output)
    : IClassFixture<RealClientHelloCaptures>
{
    public static TheoryData<string> ClientNames()
    {
        var data = new TheoryData<string>();
        foreach (var client in RealClientHelloCaptures.Clients)
        {
            data.Add(client.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ClientNames))]
    public void Ja4_part_a_reflects_the_client_options(string client)
    {
        if (Capture(client) is not { } hello)
        {
            return;
        }

        var expected = RealClientHelloCaptures.Clients.Single(c => c.Name == client).ExpectedPrefix;
        var ja4 = Ja4.Compute(hello);
        output.WriteLine($"{client}: JA3 {Ja3.Compute(hello).Hash}  JA4 {ja4.Fingerprint}");
        output.WriteLine($"  JA4_r  {ja4.Raw}");
        output.WriteLine($"  JA4_o  {ja4.Original}");
        output.WriteLine($"  JA3    {Ja3.Compute(hello).Text}");

        Assert.Equal('t', ja4.Fingerprint[0]);
        Assert.Equal(expected[..3], ja4.Fingerprint[1..4]);
        Assert.Equal(expected[3..], ja4.Fingerprint[8..10]);
        Assert.Equal(expected[2] == 'd', hello.ServerName is not null);
    }

    [Theory]
    [MemberData(nameof(ClientNames))]
    public void Ja3_matches_tshark(string client)
    {
        if (Capture(client) is not { } hello || TsharkRow(client) is not { } row)
        {
            return;
        }

        var ja3 = Ja3.Compute(hello);
        output.WriteLine($"{client}:\n  ours   {ja3.Hash} {ja3.Text}\n  tshark {row[1]} {row[0]}");

        Assert.Equal(row[0], ja3.Text);
        Assert.Equal(row[1], ja3.Hash);
    }

    [Theory]
    [MemberData(nameof(ClientNames))]
    public void Ja4_matches_a_computation_from_tshark_fields(string client)
    {
        if (Capture(client) is not { } hello || TsharkRow(client) is not { } row)
        {
            return;
        }

        var ja4 = Ja4.Compute(hello);
        var (expected, expectedRaw) = Ja4FromTsharkFields(row.AsSpan(2, RealClientHelloCaptures.TsharkJa4Inputs.Length));
        output.WriteLine($"{client}:\n  ours        {ja4.Fingerprint}\n  from tshark {expected}");
        if (captures.TsharkHasJa4)
        {
            output.WriteLine($"  tshark ja4  {row[^1]}");
            Assert.Equal(row[^1], ja4.Fingerprint);
        }

        Assert.Equal(expectedRaw, ja4.Raw);
        Assert.Equal(expected, ja4.Fingerprint);
    }

    [Theory]
    [MemberData(nameof(ClientNames))]
    public void Server_name_and_alpn_match_tshark(string client)
    {
        if (Capture(client) is not { } hello || TsharkRow(client) is not { } row)
        {
            return;
        }

        var fields = row.AsSpan(2);
        Assert.Equal(fields[6], hello.ServerName ?? "");
        Assert.Equal(fields[5], string.Join(',', hello.AlpnProtocols));
    }

    private ClientHello? Capture(string client)
    {
        var capture = captures.Captures[client];
        if (capture.Problem is not null && capture.Command is null)
        {
            output.WriteLine($"SKIPPED {client}: {capture.Problem}");
            return null;
        }

        Assert.True(capture.Hello is not null, capture.Problem);
        return capture.Hello;
    }

    private string[]? TsharkRow(string client)
    {
        if (captures.TsharkError is { } error)
        {
            Assert.True(Tshark.Path is null, error); // tshark present but failing is a failure, not a skip
            output.WriteLine($"SKIPPED {client}: {error}");
            return null;
        }

        Assert.True(captures.TsharkRows.TryGetValue(client, out var row), $"tshark did not dissect the hello of {client}");
        return row;
    }

    /// <summary>
    /// JA4 written straight from the FoxIO spec over tshark's own field values: an independent parse, and a second, naive
    /// implementation of the algorithm. Returns the fingerprint and its raw form.
    /// </summary>
    private static (string Ja4, string Raw) Ja4FromTsharkFields(ReadOnlySpan<string> f)
    {
        static IEnumerable<string> Values(string field) => field.Split(',', StringSplitOptions.RemoveEmptyEntries);
        static bool Grease(int v) => (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
        static string Hex(IEnumerable<int> values) => string.Join(',', values.Select(v => v.ToString("x4")));
        static string Sha12(string text) => text.Length == 0
            ? "000000000000"
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(text)))[..12];

        var legacy = Convert.ToInt32(f[0], 16);
        var ciphers = Values(f[1]).Select(v => Convert.ToInt32(v, 16)).Where(v => !Grease(v)).ToList();
        var extensions = Values(f[2]).Select(int.Parse).Where(v => !Grease(v)).ToList();
        Assert.DoesNotContain(34, extensions); // delegated_credentials would mix its algorithms into sig_hash_alg
        Assert.DoesNotContain(50, extensions); // so would signature_algorithms_cert
        var signatures = Values(f[3]).Select(v => Convert.ToInt32(v, 16)).Where(v => !Grease(v)).ToList();
        var versions = Values(f[4]).Select(v => Convert.ToInt32(v, 16)).Where(v => !Grease(v)).ToList();
        var alpn = Values(f[5]).FirstOrDefault() ?? "";

        var version = (extensions.Contains(43) ? versions.DefaultIfEmpty(0).Max() : legacy) switch
        {
            0x0304 => "13",
            0x0303 => "12",
            0x0302 => "11",
            0x0301 => "10",
            0x0300 => "s3",
            _ => "00",
        };
        var alpnCode = alpn.Length == 0 ? "00"
            : char.IsAsciiLetterOrDigit(alpn[0]) && char.IsAsciiLetterOrDigit(alpn[^1]) ? $"{alpn[0]}{alpn[^1]}"
            : $"{((int)alpn[0]).ToString("x2")[0]}{((int)alpn[^1]).ToString("x2")[1]}";
        var a = $"t{version}{(extensions.Contains(0) ? 'd' : 'i')}{Math.Min(ciphers.Count, 99):d2}" +
            $"{Math.Min(extensions.Count, 99):d2}{alpnCode}";
        var b = Hex(ciphers.Order());
        var sorted = extensions.Where(e => e is not 0 and not 16).Order().ToList();
        var c = sorted.Count == 0 ? "" : Hex(sorted) + (signatures.Count > 0 ? "_" + Hex(signatures) : "");
        return ($"{a}_{Sha12(b)}_{Sha12(c)}", $"{a}_{b}_{c}");
    }
}
