using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Engine.Tests.Exchanges;

public sealed class ExchangePublisherTests
{
    [Fact]
    public async Task Every_exchange_published_from_many_threads_is_delivered_once()
    {
        var delivered = new ConcurrentDictionary<string, int>();
        var publisher = new ExchangePublisher(e => delivered.AddOrUpdate(e.Id, 1, (_, n) => n + 1), NullLogger.Instance);

        // Bursts with pauses between them, so the consumer parks and must be woken again many times.
        for (var burst = 0; burst < 20; burst++)
        {
            Parallel.For(0, 500, i => publisher.Publish(static id => Sample(id), $"{burst}-{i}"));
            await Task.Delay(5);
        }
        publisher.Publish(static id => Sample(id), "last");

        await WaitUntilAsync(() => delivered.Count == 10_001);
        Assert.All(delivered.Values, count => Assert.Equal(1, count));
        Assert.Equal(0, publisher.Dropped);
        publisher.Complete();
    }

    [Fact]
    public async Task A_lone_exchange_after_a_quiet_spell_is_delivered()
    {
        var delivered = new ConcurrentQueue<string>();
        var publisher = new ExchangePublisher(e => delivered.Enqueue(e.Id), NullLogger.Instance);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(3);
            publisher.Publish(static id => Sample(id), $"lone{i}");
            await WaitUntilAsync(() => delivered.Count == i + 1);
        }
        publisher.Complete();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the exchange was not delivered");
            await Task.Delay(1);
        }
    }

    private static Exchange Sample(string id) => new()
    {
        Id = id,
        Timestamp = 0,
        HttpVersion = "HTTP/1.1",
        Request = new ExchangeRequest { Method = "GET", Url = "http://x.test/", Hostname = "x.test", Path = "/", Headers = [], BodyPreview = "", BodySize = 0 },
        Timings = new ExchangeTimings(),
    };
}
