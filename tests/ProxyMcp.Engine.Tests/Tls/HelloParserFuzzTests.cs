using System.Buffers.Binary;
using ProxyMcp.Engine.Tls.Fingerprints;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>Random and mutated input: the parsers must answer, never throw, and stay within their contract.</summary>
public sealed class HelloParserFuzzTests
{
    private const int Iterations = 4000;

    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20240601);
        for (var i = 0; i < Iterations; i++)
        {
            var data = new byte[random.Next(0, 700)];
            random.NextBytes(data);
            if (data.Length >= 6 && i % 2 == 0)
            {
                // Look like a handshake record often enough to get past the first checks.
                data[0] = 22;
                data[1] = 3;
                data[5] = (byte)random.Next(1, 3);
            }

            ParseEverywhere(data, random);
        }
    }

    [Fact]
    public void Mutated_real_hellos_never_throw()
    {
        var random = new Random(7);
        byte[][] seeds =
        [
            ClientHelloBuilder.SpecExample().BuildRecords(),
            ClientHelloBuilder.SpecExample().BuildRecords(97),
            new ClientHelloBuilder { LegacyVersion = 0x0301, WithoutExtensionBlock = true }.Cipher(4, 5, 10).BuildRecords(),
            new ClientHelloBuilder().Cipher(0x1301).ServerName("m.test").AlpnRaw([0xff], []).SupportedVersions(0x0304).BuildRecords(),
            ServerHelloBuilder.Tls13().BuildRecords(),
            new ServerHelloBuilder { CipherSuite = 0xc02f }.Alpn("http/1.1").Extension(0xff01, [0]).BuildRecords(40),
        ];

        var seen = new Dictionary<HelloParseStatus, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var data = Mutate(seeds[i % seeds.Length], random);
            var status = ParseEverywhere(data, random);
            seen[status] = seen.GetValueOrDefault(status) + 1;
        }

        // The mutations must reach every verdict, or they are not exercising the deep paths.
        Assert.All(Enum.GetValues<HelloParseStatus>(), s => Assert.True(seen.GetValueOrDefault(s) > 20, $"{s}: {seen.GetValueOrDefault(s)}"));
    }

    /// <summary>Parses as both hellos, whole and segmented; returns the verdict of the parser the seed was meant for.</summary>
    private static HelloParseStatus ParseEverywhere(byte[] data, Random random)
    {
        var client = ClientHelloParser.Parse(data);
        var server = ServerHelloParser.Parse(data);
        CheckContract(client, data.Length);
        CheckContract(server, data.Length);

        var segmented = SegmentedSequence.Random(data, random, 1 + random.Next(64));
        Assert.Equal(client.Status, ClientHelloParser.Parse(segmented).Status);
        Assert.Equal(server.Status, ServerHelloParser.Parse(segmented).Status);

        if (client.IsComplete)
        {
            Assert.Equal(32, Ja3.Compute(client.Hello).Hash.Length);
            Assert.Equal(36, Ja4.Compute(client.Hello).Fingerprint.Length);
        }

        if (server.IsComplete)
        {
            Assert.Equal(32, Ja3s.Compute(server.Hello).Hash.Length);
        }

        return data.Length > 5 && data[5] == 2 ? server.Status : client.Status;
    }

    private static void CheckContract<THello>(HelloParseResult<THello> result, int inputLength)
        where THello : class
    {
        switch (result.Status)
        {
            case HelloParseStatus.Complete:
                Assert.InRange(result.Length, 9, inputLength);
                break;
            case HelloParseStatus.NeedMoreData:
                Assert.InRange(result.Length, inputLength + 1, ClientHelloParser.MaxInputLength);
                break;
            default:
                Assert.False(string.IsNullOrEmpty(result.Reason));
                break;
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var data = (byte[])seed.Clone();
        var rounds = random.Next(1, 4);
        for (var r = 0; r < rounds && data.Length > 0; r++)
        {
            switch (random.Next(7))
            {
                case 0: // bit flips
                    for (var k = random.Next(1, 9); k > 0; k--)
                    {
                        data[random.Next(data.Length)] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1: // truncation
                    data = data[..random.Next(data.Length)];
                    break;
                case 2: // a 16-bit length field (or anything) set to an edge value
                    if (data.Length >= 2)
                    {
                        int[] edges = [0, 1, 2, 0xff, 0x100, 0x3fff, 0x4000, 0x4001, 0xfffe, 0xffff];
                        var at = random.Next(data.Length - 1);
                        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)edges[random.Next(edges.Length)]);
                    }

                    break;
                case 3: // a 16-bit field nudged by a little
                    if (data.Length >= 2)
                    {
                        var at = random.Next(data.Length - 1);
                        var value = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(at));
                        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)(value + random.Next(-3, 4)));
                    }

                    break;
                case 4: // the record or handshake length fields themselves
                    {
                        var field = random.Next(3);
                        var at = field == 0 ? 3 : field == 1 ? 6 : 7;
                        if (data.Length > at + 1)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(at), (ushort)random.Next(0x10000));
                        }
                    }

                    break;
                case 5: // insertion
                    {
                        var at = random.Next(data.Length + 1);
                        var extra = new byte[random.Next(1, 16)];
                        random.NextBytes(extra);
                        data = [.. data.AsSpan(0, at), .. extra, .. data.AsSpan(at)];
                    }

                    break;
                default: // deletion
                    {
                        var at = random.Next(data.Length);
                        var count = Math.Min(random.Next(1, 16), data.Length - at);
                        data = [.. data.AsSpan(0, at), .. data.AsSpan(at + count)];
                    }

                    break;
            }
        }

        return data;
    }
}
