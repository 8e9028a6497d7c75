using ProxyMcp.Interceptors.Process;

namespace ProxyMcp.Interceptors.Tests.Process;

public sealed class ProxyVariablesTests
{
    private static readonly ProxyVariables Variables = new("http://127.0.0.1:8080", "/d/bundle.pem", "/d/ca.pem", "FP==");

    private static readonly KeyValuePair<string, string>[] Inherited =
    [
        new("PATH", "/usr/bin"),
        new("NO_PROXY", "localhost,127.0.0.1"),
        new("no_proxy", "localhost"),
        new("HTTPS_PROXY", "http://corporate:3128"),
        new("HOME", "/home/u"),
    ];

    [Fact]
    public void Sets_the_proxy_and_ca_variables_over_inherited_ones()
    {
        var env = Variables.Compose(Inherited, null);

        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "npm_config_proxy", "npm_config_https_proxy" })
        {
            Assert.Equal("http://127.0.0.1:8080", env[name]);
        }
        foreach (var name in new[] { "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "AWS_CA_BUNDLE", "DENO_CERT", "GIT_SSL_CAINFO", "npm_config_cafile" })
        {
            Assert.Equal("/d/bundle.pem", env[name]);
        }
        Assert.Equal("/d/ca.pem", env["NODE_EXTRA_CA_CERTS"]);
        Assert.Equal("system", env["DENO_TLS_CA_STORE"]);
        Assert.Equal("1", env["NODE_USE_ENV_PROXY"]);
        Assert.Equal("FP==", env["PROXY_MCP_CERT_FINGERPRINT"]);
        Assert.Equal("/usr/bin", env["PATH"]);
        Assert.Equal("/home/u", env["HOME"]);
    }

    [Fact]
    public void Never_turns_tls_verification_off()
    {
        var env = Variables.Compose(Inherited, null);

        Assert.False(env.ContainsKey("NODE_TLS_REJECT_UNAUTHORIZED"));
        Assert.False(env.ContainsKey("GIT_SSL_NO_VERIFY"));
        Assert.False(env.ContainsKey("npm_config_strict_ssl"));
    }

    [Fact]
    public void An_inherited_no_proxy_is_dropped_but_one_given_by_the_caller_is_kept()
    {
        var inherited = Variables.Compose(Inherited, null);
        Assert.False(inherited.ContainsKey("NO_PROXY"));
        Assert.False(inherited.ContainsKey("no_proxy"));

        var given = Variables.Compose(Inherited, new Dictionary<string, string> { ["NO_PROXY"] = "internal.example" });
        Assert.Equal("internal.example", given["NO_PROXY"]);
        Assert.False(given.ContainsKey("no_proxy"));
    }

    [Fact]
    public void Caller_variables_apply_over_inherited_ones_but_not_over_the_proxy_variables()
    {
        var env = Variables.Compose(Inherited, new Dictionary<string, string>
        {
            ["HOME"] = "/tmp/h",
            ["FOO"] = "bar",
            ["HTTPS_PROXY"] = "http://elsewhere:1",
            ["SSL_CERT_FILE"] = "/elsewhere.pem",
        });

        Assert.Equal("/tmp/h", env["HOME"]);
        Assert.Equal("bar", env["FOO"]);
        Assert.Equal("http://127.0.0.1:8080", env["HTTPS_PROXY"]);
        Assert.Equal("/d/bundle.pem", env["SSL_CERT_FILE"]);
    }
}
