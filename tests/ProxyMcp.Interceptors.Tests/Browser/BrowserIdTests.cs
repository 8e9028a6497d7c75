using ProxyMcp.Interceptors.Browser;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class BrowserIdTests
{
    [Fact]
    public void Cookie_ids_are_sha1_of_the_seven_identity_fields()
    {
        var cookie = new BrowserCookie("session", "abc", ".example.com", "/", -1, HttpOnly: true, Secure: true, SameSite: "Lax");

        // sha1("session|.example.com|/|true|true|Lax|"), computed independently.
        Assert.Equal("ck_c803bdd13681454d2a0df0385990f79fdd5d7063", cookie.Id);
        Assert.Equal(cookie.Id, (cookie with { Value = "other", Expires = 99 }).Id);
        Assert.NotEqual(cookie.Id, (cookie with { Path = "/x" }).Id);
        Assert.NotEqual(cookie.Id, (cookie with { PartitionKey = "https://top.example" }).Id);
    }

    [Fact]
    public void Storage_item_ids_round_trip_and_have_the_spec_shape()
    {
        var id = new StorageItemId(StorageKind.Local, "https://example.com:8443", "key/with?+é");

        Assert.Equal("st.local.aHR0cHM6Ly9leGFtcGxlLmNvbTo4NDQz.a2V5L3dpdGg_K8Op", id.ToString());
        Assert.Equal(id, StorageItemId.TryParse(id.ToString()));
        Assert.Equal(StorageKind.Session, StorageItemId.TryParse(new StorageItemId(StorageKind.Session, "http://a", "").ToString())!.Kind);
        foreach (var bad in new[] { "st.local.abc", "xx.local.YQ.YQ", "st.cookie.YQ.YQ", "st.local.Y*.YQ", "st.local.YQ.YQ.YQ", "st.local.Y.YQ" })
        {
            Assert.Null(StorageItemId.TryParse(bad));
        }
    }

    [Fact]
    public void Network_field_ids_lower_case_the_header_name()
    {
        var id = new NetworkFieldId("0b1c2d3e-1111-4222-8333-444455556666", "response", "Set-Cookie");

        Assert.Equal("nf.0b1c2d3e-1111-4222-8333-444455556666.response.c2V0LWNvb2tpZQ", id.ToString());
        var parsed = NetworkFieldId.TryParse(id.ToString())!;
        Assert.Equal(("0b1c2d3e-1111-4222-8333-444455556666", "response", "set-cookie"), (parsed.ExchangeId, parsed.Direction, parsed.HeaderName));
        Assert.Equal("sideways", NetworkFieldId.TryParse("nf.x.sideways.YQ")!.Direction); // reported by the tool, not here
        Assert.Null(NetworkFieldId.TryParse("nf.x.request"));
        Assert.Null(NetworkFieldId.TryParse("xx.x.request.YQ"));
        Assert.Null(NetworkFieldId.TryParse("nf..request.YQ"));
    }
}
