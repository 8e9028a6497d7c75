using ProxyMcp.Engine.Tls.Fingerprints;
using Xunit.Abstractions;

namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>The parse path allocates the result and nothing else: no per-byte, per-record or per-segment garbage.</summary>
public sealed class HelloParserAllocationTests(ITestOutputHelper output)
{
    [Fact]
    public void Parsing_allocates_about_the_size_of_the_result_whatever_the_fragmentation()
    {
        var builder = ClientHelloBuilder.SpecExample();
        var oneRecord = builder.BuildRecords();
        var manyRecords = builder.BuildRecords(7);
        var segmented = SegmentedSequence.Random(manyRecords, new Random(3), 5);

        var baseline = Allocated(() => ClientHelloParser.Parse(oneRecord));
        var fragmented = Allocated(() => ClientHelloParser.Parse(manyRecords));
        var multiSegment = Allocated(() => ClientHelloParser.Parse(segmented));
        var prefix = Allocated(() => ClientHelloParser.Parse(oneRecord.AsSpan(0, oneRecord.Length - 1)));
        output.WriteLine($"one record {baseline} B, 7-byte records {fragmented} B, many segments {multiSegment} B, prefix {prefix} B");

        Assert.InRange(baseline, 1, 2048);
        Assert.Equal(baseline, fragmented);
        Assert.Equal(baseline, multiSegment);
        Assert.Equal(0, prefix);
    }

    private static long Allocated(Func<HelloParseResult<ClientHello>> parse)
    {
        for (var i = 0; i < 3; i++)
        {
            parse(); // warm up: JIT, pools
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        parse();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
