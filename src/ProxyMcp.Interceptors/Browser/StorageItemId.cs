namespace ProxyMcp.Interceptors.Browser;

public enum StorageKind
{
    Local,
    Session,
}

/// <summary>"st.&lt;local|session&gt;.&lt;base64url(origin)&gt;.&lt;base64url(key)&gt;" — proxy-mcp's storage item id.</summary>
public sealed record StorageItemId(StorageKind Kind, string Origin, string Key)
{
    public static string Name(StorageKind kind) => kind == StorageKind.Local ? "local" : "session";

    public override string ToString() => $"st.{Name(Kind)}.{Base64Url.Encode(Origin)}.{Base64Url.Encode(Key)}";

    /// <summary>Parses an id; null when it is malformed (the caller reports "Invalid item_id").</summary>
    public static StorageItemId? TryParse(string id)
    {
        var parts = id.Split('.');
        if (parts.Length != 4 || parts[0] != "st") return null;
        StorageKind? kind = parts[1] switch { "local" => StorageKind.Local, "session" => StorageKind.Session, _ => null };
        if (kind is null || !Base64Url.TryDecode(parts[2], out var origin) || !Base64Url.TryDecode(parts[3], out var key)) return null;
        return new StorageItemId(kind.Value, origin, key);
    }
}
