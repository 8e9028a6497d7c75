using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Humanizer;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class BrowserLaunchRequestTests
{
    [Theory]
    [InlineData("example.com", "url must be an absolute URL such as https://example.com/ (got 'example.com')")]
    [InlineData("javascript:alert(1)", "url must be an absolute URL such as https://example.com/ (got 'javascript:alert(1)')")]
    public void Rejects_urls_a_browser_cannot_open(string url, string message) =>
        Assert.Equal(message, Assert.Throws<InterceptorException>(() => new BrowserLaunchRequest { Url = url }.Validate()).Message);

    [Fact]
    public void Validates_preset_timezone_locale_and_viewport()
    {
        new BrowserLaunchRequest { Url = "https://example.com/", Timezone = "Europe/Paris", Locale = "fr-FR", HumanPreset = "careful" }.Validate();
        Assert.Contains("human_preset", Assert.Throws<InterceptorException>(() => new BrowserLaunchRequest { HumanPreset = "fast" }.Validate()).Message);
        Assert.Contains("timezone", Assert.Throws<InterceptorException>(() => new BrowserLaunchRequest { Timezone = "Mars/Olympus" }.Validate()).Message);
        Assert.Contains("locale", Assert.Throws<InterceptorException>(() => new BrowserLaunchRequest { Locale = "en US;" }.Validate()).Message);
        Assert.Contains("viewport_width", Assert.Throws<InterceptorException>(() => new BrowserLaunchRequest { ViewportWidth = -1 }.Validate()).Message);
    }

    [Fact]
    public void The_viewport_needs_both_sides_and_humanize_picks_the_input_style()
    {
        Assert.Null(new BrowserLaunchRequest { ViewportWidth = 800 }.Viewport);
        Assert.Null(new BrowserLaunchRequest { ViewportWidth = 800, ViewportHeight = 0 }.Viewport);
        Assert.Equal((800, 600), new BrowserLaunchRequest { ViewportWidth = 800, ViewportHeight = 600 }.Viewport);

        Assert.Equal(InputStyle.Humanized(HumanProfile.Default), new BrowserLaunchRequest().InputStyle);
        Assert.Equal(InputStyle.Humanized(HumanProfile.Careful), new BrowserLaunchRequest { HumanPreset = "careful" }.InputStyle);
        Assert.Equal(InputStyle.Direct, new BrowserLaunchRequest { Humanize = false, HumanPreset = "careful" }.InputStyle);
    }

    [Fact]
    public void The_console_log_is_bounded()
    {
        var log = new ConsoleLog(capacity: 3);
        for (var i = 0; i < 5; i++) log.Add(new ConsoleEntry("log", $"m{i}", "", i));
        log.Add(new ConsoleEntry("error", new string('x', ConsoleLog.MaxTextChars + 10), "", 9));

        Assert.Equal(["m3", "m4"], log.Snapshot().Take(2).Select(e => e.Text));
        Assert.Equal(ConsoleLog.MaxTextChars + 3, log.Snapshot()[^1].Text.Length);
        Assert.Equal(3, log.Dropped);
    }
}
