using System.Text.Json.Nodes;

namespace ProxyMcp.Interceptors.Tests;

public sealed class InterceptorRegistryTests
{
    private sealed class FakeInterceptor(string id, bool activable = true, string? deactivateError = null, TimeProvider? time = null)
        : Interceptor(id, id + " name", id + " description", time: time)
    {
        private readonly List<ActiveTarget> _targets = [];

        public int Checks { get; private set; }
        public bool Activable { get; set; } = activable;
        public int DeactivateAllCalls { get; private set; }

        public void Add(string targetId) => _targets.Add(new ActiveTarget(targetId, "d", 1, new JsonObject()));

        protected override Task<bool> CheckActivableAsync(CancellationToken cancellationToken)
        {
            Checks++;
            return Task.FromResult(Activable);
        }

        public override IReadOnlyList<ActiveTarget> ActiveTargets => [.. _targets];

        public override Task DeactivateAsync(string targetId, CancellationToken cancellationToken = default) => Task.CompletedTask;

        public override Task DeactivateAllAsync(CancellationToken cancellationToken = default)
        {
            DeactivateAllCalls++;
            _targets.Clear();
            return deactivateError is null ? Task.CompletedTask : Task.FromException(new InvalidOperationException(deactivateError));
        }
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task Lists_interceptors_in_registration_order_with_their_targets()
    {
        var terminal = new FakeInterceptor("terminal");
        terminal.Add("proc_1");
        terminal.Add("proc_2");
        var registry = new InterceptorRegistry([terminal, new FakeInterceptor("browser", activable: false)]);

        var all = await registry.DescribeAllAsync();

        Assert.Equal(["terminal", "browser"], all.Select(m => m.Id));
        Assert.Equal(["proc_1", "proc_2"], all[0].ActiveTargets.Select(t => t.Id));
        Assert.True(all[0].IsActivable);
        Assert.False(all[1].IsActivable);
        Assert.Equal("terminal name", all[0].Name);
    }

    [Fact]
    public async Task Unknown_and_unavailable_interceptors_use_the_spec_messages()
    {
        var registry = new InterceptorRegistry([new FakeInterceptor("terminal"), new FakeInterceptor("docker", activable: false)]);

        var status = await Assert.ThrowsAsync<InterceptorException>(() => registry.DescribeAsync("nope"));
        Assert.Equal("Interceptor 'nope' not found", status.Message);
        var activate = await Assert.ThrowsAsync<InterceptorException>(() => registry.GetActivableAsync("nope"));
        Assert.Equal("Interceptor 'nope' not found. Available: terminal, docker", activate.Message);
        var unavailable = await Assert.ThrowsAsync<InterceptorException>(() => registry.GetActivableAsync("docker"));
        Assert.Equal("Interceptor 'docker' is not activable. Required tooling may be missing.", unavailable.Message);
        Assert.Equal("terminal", (await registry.GetActivableAsync("terminal")).Id);
    }

    [Fact]
    public async Task Deactivate_all_reaches_every_interceptor_and_reports_the_failures_together()
    {
        var first = new FakeInterceptor("a", deactivateError: "boom");
        var second = new FakeInterceptor("b");
        var third = new FakeInterceptor("c", deactivateError: "bang");
        var registry = new InterceptorRegistry([first, second, third]);

        var e = await Assert.ThrowsAsync<InterceptorException>(() => registry.DeactivateAllAsync());

        Assert.Equal("Errors during deactivateAll: a: boom; c: bang", e.Message);
        Assert.All([first, second, third], i => Assert.Equal(1, i.DeactivateAllCalls));
    }

    [Fact]
    public void The_same_id_cannot_be_registered_twice()
    {
        Assert.Throws<ArgumentException>(() => new InterceptorRegistry([new FakeInterceptor("x"), new FakeInterceptor("x")]));
    }

    [Fact]
    public async Task Availability_is_cached_briefly_then_checked_again()
    {
        var time = new ManualTime();
        var interceptor = new FakeInterceptor("adb", activable: false, time: time);

        Assert.False(await interceptor.IsActivableAsync());
        interceptor.Activable = true; // Tooling installed meanwhile.
        time.Now += TimeSpan.FromSeconds(10);
        Assert.False(await interceptor.IsActivableAsync());
        Assert.Equal(1, interceptor.Checks);

        time.Now += Interceptor.DefaultAvailabilityTtl;
        Assert.True(await interceptor.IsActivableAsync());
        Assert.Equal(2, interceptor.Checks);
    }

    [Fact]
    public void Without_target_processes_no_exchange_is_linked()
    {
        var registry = new InterceptorRegistry([new FakeInterceptor("terminal")]);

        Assert.Null(registry.TryFindTargetFor(System.Net.IPEndPoint.Parse("127.0.0.1:50000")));
        Assert.Null(registry.LinkExchange(new Engine.Exchanges.Exchange
        {
            Id = "x",
            Timestamp = 0,
            HttpVersion = "HTTP/1.1",
            ClientEndPoint = "not an endpoint",
            Request = new Engine.Exchanges.ExchangeRequest
            {
                Method = "GET", Url = "http://a/", Hostname = "a", Path = "/", Headers = new Engine.Exchanges.HeaderList(), BodyPreview = "", BodySize = 0,
            },
            Timings = new Engine.Exchanges.ExchangeTimings(),
        }));
    }
}
