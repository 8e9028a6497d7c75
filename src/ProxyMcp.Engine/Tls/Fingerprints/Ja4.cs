using System.Buffers;

namespace ProxyMcp.Engine.Tls.Fingerprints;

/// <summary>
/// FoxIO JA4 client fingerprint (technical_details/JA4.md), with the raw (<c>_r</c>) and original-order (<c>_o</c>) forms.
/// <list type="bullet">
/// <item>Transport is always <c>t</c>: we only see TLS over TCP.</item>
/// <item>Version: the highest non-GREASE supported_versions value when that extension is present, else legacy_version;
/// 13/12/11/10/s3/s2/d1/d2/d3, anything else <c>00</c>. The spec takes the numerically highest value, so an unknown
/// value above 0x0304 gives <c>00</c>; a supported_versions holding only GREASE also gives <c>00</c> (the spec never
/// falls back to legacy_version once the extension exists).</item>
/// <item>SNI flag: <c>d</c> when the server_name extension is present (even without a host_name entry), else <c>i</c>.</item>
/// <item>Counts: GREASE excluded, SNI and ALPN included, capped at 99.</item>
/// <item>ALPN: <c>00</c> without the extension, with an empty list or an empty first name. Otherwise the first and last
/// byte of the first name as characters when both are ASCII alphanumeric (a one-byte name is doubled); if either is
/// not, the first hex digit of the first byte and the last hex digit of the last byte (0xAB → <c>ab</c>,
/// 0x30 0xAB → <c>3b</c>).</item>
/// <item>Part b: <c>000000000000</c> when no (non-GREASE) cipher is left, else the hash of the sorted 4-hex list.</item>
/// <item>Part c: <c>000000000000</c> when no extension is left after removing GREASE, SNI and ALPN; else the hash of the
/// sorted list, followed by <c>_</c> and the signature algorithms in wire order only when there is at least one (an
/// empty signature_algorithms list hashes the extension list alone). GREASE is removed from signature algorithms
/// too ("ignore GREASE values anywhere").</item>
/// <item>Raw forms print the lists as they would be hashed; an empty list prints as nothing.</item>
/// <item><c>_o</c> forms keep wire order and keep SNI and ALPN in the extension list.</item>
/// </list>
/// </summary>
/// <param name="Fingerprint">JA4, e.g. <c>t13d1516h2_8daaf6152771_e5627efa2ab1</c>.</param>
/// <param name="Raw">JA4_r: sorted lists in clear.</param>
/// <param name="Original">JA4_o: hashes of the lists in wire order, SNI and ALPN kept.</param>
/// <param name="RawOriginal">JA4_ro: the wire-order lists in clear.</param>
public sealed record Ja4(string Fingerprint, string Raw, string Original, string RawOriginal)
{
    private const int StackLimit = 128;
    private const string EmptyHash = "000000000000";

    public static Ja4 Compute(ClientHello hello)
    {
        ArgumentNullException.ThrowIfNull(hello);
        ushort[]? rentedCiphers = null, rentedExtensions = null, rentedSignatures = null;
        var ciphers = Scratch(hello.CipherSuites.Length * 2, ref rentedCiphers, stackalloc ushort[StackLimit]);
        var extensions = Scratch(hello.ExtensionTypes.Length * 2, ref rentedExtensions, stackalloc ushort[StackLimit]);
        var signatures = Scratch(hello.SignatureAlgorithms.Length, ref rentedSignatures, stackalloc ushort[StackLimit]);
        var partB = new FingerprintText(256);
        var partBOriginal = new FingerprintText(256);
        var partC = new FingerprintText(512);
        var partCOriginal = new FingerprintText(512);
        var output = new FingerprintText(1024);
        try
        {
            // Each scratch span holds the wire-order list followed by its sorted copy.
            var cipherCount = CopyWithoutGrease(hello.CipherSuites.AsSpan(), ciphers, exclude: null);
            var originalCiphers = ciphers[..cipherCount];
            var sortedCiphers = ciphers.Slice(cipherCount, cipherCount);
            originalCiphers.CopyTo(sortedCiphers);
            sortedCiphers.Sort();

            var extensionCount = CopyWithoutGrease(hello.ExtensionTypes.AsSpan(), extensions, exclude: null);
            var originalExtensions = extensions[..extensionCount];
            var sortedCount = CopyWithoutGrease(originalExtensions, extensions[extensionCount..], exclude: SniOrAlpn);
            var sortedExtensions = extensions.Slice(extensionCount, sortedCount);
            sortedExtensions.Sort();

            var signatureCount = CopyWithoutGrease(hello.SignatureAlgorithms.AsSpan(), signatures, exclude: null);
            var signatureList = signatures[..signatureCount];

            Span<char> partA = stackalloc char[10];
            WritePartA(hello, cipherCount, extensionCount, partA);

            partB.AppendHexList(sortedCiphers);
            partBOriginal.AppendHexList(originalCiphers);
            AppendExtensionsAndSignatures(ref partC, sortedExtensions, signatureList);
            AppendExtensionsAndSignatures(ref partCOriginal, originalExtensions, signatureList);

            Span<char> hashB = stackalloc char[12];
            Span<char> hashC = stackalloc char[12];
            var fingerprint = Join(ref output, partA, Hash(partB, hashB), Hash(partC, hashC));
            var original = Join(ref output, partA, Hash(partBOriginal, hashB), Hash(partCOriginal, hashC));
            var raw = Join(ref output, partA, partB.Text, partC.Text);
            var rawOriginal = Join(ref output, partA, partBOriginal.Text, partCOriginal.Text);
            return new Ja4(fingerprint, raw, original, rawOriginal);
        }
        finally
        {
            output.Dispose();
            partCOriginal.Dispose();
            partC.Dispose();
            partBOriginal.Dispose();
            partB.Dispose();
            Return(rentedSignatures);
            Return(rentedExtensions);
            Return(rentedCiphers);
        }
    }

    /// <summary>The two JA4 version characters for a TLS/DTLS version value.</summary>
    public static string VersionCode(ushort version) => version switch
    {
        0x0304 => "13",
        0x0303 => "12",
        0x0302 => "11",
        0x0301 => "10",
        0x0300 => "s3",
        0x0002 => "s2",
        0xfeff => "d1",
        0xfefd => "d2",
        0xfefc => "d3",
        _ => "00",
    };

    private static bool SniOrAlpn(ushort type) => type is ClientHello.ServerNameExtension or ClientHello.AlpnExtension;

    private static Span<ushort> Scratch(int length, ref ushort[]? rented, Span<ushort> stack)
    {
        if (length <= stack.Length)
        {
            return stack[..length];
        }

        rented = ArrayPool<ushort>.Shared.Rent(length);
        return rented.AsSpan(0, length);
    }

    private static void Return(ushort[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<ushort>.Shared.Return(rented);
        }
    }

    private static int CopyWithoutGrease(ReadOnlySpan<ushort> source, Span<ushort> destination, Func<ushort, bool>? exclude)
    {
        var count = 0;
        foreach (var value in source)
        {
            if (!ClientHello.IsGrease(value) && (exclude is null || !exclude(value)))
            {
                destination[count++] = value;
            }
        }

        return count;
    }

    private static void WritePartA(ClientHello hello, int cipherCount, int extensionCount, Span<char> partA)
    {
        partA[0] = 't';
        VersionCode(HighestVersion(hello)).CopyTo(partA[1..]);
        partA[3] = hello.HasExtension(ClientHello.ServerNameExtension) ? 'd' : 'i';
        WriteCount(Math.Min(cipherCount, 99), partA[4..]);
        WriteCount(Math.Min(extensionCount, 99), partA[6..]);
        WriteAlpn(hello, partA[8..]);
    }

    private static ushort HighestVersion(ClientHello hello)
    {
        if (!hello.HasExtension(ClientHello.SupportedVersionsExtension))
        {
            return hello.LegacyVersion;
        }

        ushort highest = 0; // no non-GREASE value: maps to "00"
        foreach (var version in hello.SupportedVersions)
        {
            if (!ClientHello.IsGrease(version) && version > highest)
            {
                highest = version;
            }
        }

        return highest;
    }

    private static void WriteCount(int count, Span<char> destination)
    {
        destination[0] = (char)('0' + (count / 10));
        destination[1] = (char)('0' + (count % 10));
    }

    private static void WriteAlpn(ClientHello hello, Span<char> destination)
    {
        var protocols = hello.AlpnProtocolsRaw;
        if (protocols.IsDefaultOrEmpty || protocols[0].IsDefaultOrEmpty)
        {
            destination[0] = '0';
            destination[1] = '0';
            return;
        }

        var first = protocols[0][0];
        var last = protocols[0][^1];
        if (char.IsAsciiLetterOrDigit((char)first) && char.IsAsciiLetterOrDigit((char)last))
        {
            destination[0] = (char)first;
            destination[1] = (char)last;
        }
        else
        {
            destination[0] = FingerprintText.HexDigit(first >> 4);
            destination[1] = FingerprintText.HexDigit(last);
        }
    }

    private static void AppendExtensionsAndSignatures(
        ref FingerprintText text, scoped ReadOnlySpan<ushort> extensions, scoped ReadOnlySpan<ushort> signatures)
    {
        if (extensions.IsEmpty)
        {
            return; // hashes to 000000000000 and prints as nothing
        }

        text.AppendHexList(extensions);
        if (!signatures.IsEmpty)
        {
            text.Append('_');
            text.AppendHexList(signatures);
        }
    }

    private static ReadOnlySpan<char> Hash(in FingerprintText list, Span<char> destination)
    {
        if (list.IsEmpty)
        {
            EmptyHash.CopyTo(destination);
        }
        else
        {
            FingerprintText.Sha256Hex12(list.Text, destination);
        }

        return destination;
    }

    private static string Join(
        ref FingerprintText output, scoped ReadOnlySpan<char> a, scoped ReadOnlySpan<char> b, scoped ReadOnlySpan<char> c)
    {
        output.Clear();
        output.Append(a);
        output.Append('_');
        output.Append(b);
        output.Append('_');
        output.Append(c);
        return output.ToString();
    }
}
