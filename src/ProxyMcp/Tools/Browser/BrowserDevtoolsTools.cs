using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using ProxyMcp.Engine.Tls;
using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Linking;
using ProxyMcp.Proxy;
using ProxyMcp.Results;

namespace ProxyMcp.Tools.Browser;

/// <summary>
/// The browser devtools-equivalents (spec 5.9): accessibility snapshot, screenshot, console, cookies, Web Storage and the
/// headers of captured traffic, each with the spec's filters, paging and value caps.
/// </summary>
[McpServerToolType]
public sealed class BrowserDevtoolsTools(ProxyRuntime runtime)
{
    /// <summary>Screenshots returned inline are capped; larger ones must be saved with file_path.</summary>
    public const int MaxInlineImageBytes = 8 * 1024 * 1024;

    private const float SnapshotTimeoutMs = 10_000;
    private const float ScreenshotTimeoutMs = 30_000;

    [McpServerTool(Name = "interceptor_browser_snapshot", ReadOnly = true)]
    [Description("ARIA snapshot (YAML role tree: roles, names, values) of the element matching a selector (default body). " +
                 "mode ai adds [ref=eN] markers, usable as humanizer_click selector 'aria-ref=eN'.")]
    public async Task<CallToolResult> SnapshotAsync(
        [Description("Browser target id.")] string target_id,
        [Description("CSS or XPath selector of the root element (must match exactly one).")] string selector = "body",
        [Description("default, or ai (adds element refs).")] [AllowedValues("default", "ai")] string mode = "default",
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var root = ToolArguments.OptionalText(selector) ?? "body";
        var ai = ToolArguments.OptionalChoice(mode, "mode", "default", "ai") == "ai";
        var page = BrowserAccess.Page(target);
        var snapshot = await BrowserAccess.RunAsync(target, () => page.Locator(root)
            .AriaSnapshotAsync(new LocatorAriaSnapshotOptions { Mode = ai ? AriaSnapshotMode.Ai : AriaSnapshotMode.Default, Timeout = SnapshotTimeoutMs })
            .WaitAsync(cancellationToken));
        var title = await BrowserAccess.RunAsync(target, () => page.TitleAsync().WaitAsync(cancellationToken));
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["url"] = page.Url;
        result["title"] = title;
        result["root"] = root;
        result["snapshot"] = snapshot;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_browser_screenshot", ReadOnly = true)]
    [Description("Screenshot of the page. With file_path the image is written there (parent folders created) and only its size is " +
                 "returned; without it the image comes back as MCP image content next to the JSON.")]
    public async Task<CallToolResult> ScreenshotAsync(
        [Description("Browser target id.")] string target_id,
        [Description("Where to save the image (absolute, or relative to the server's working directory); extension .png or .jpg/.jpeg to match format.")]
        string? file_path = null,
        [Description("png or jpeg.")] [AllowedValues("png", "jpeg")] string format = "png",
        [Description("The whole scrollable page instead of the viewport.")] bool full_page = false,
        [Description("JPEG quality 0-100 (jpeg only).")] double? quality = null,
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var kind = ToolArguments.OptionalChoice(format, "format", "png", "jpeg") ?? "png";
        var jpegQuality = ToolArguments.OptionalInteger(quality, "quality", 0, 100);
        if (jpegQuality is not null && kind != "jpeg") throw new McpException("quality applies to format jpeg only");
        string? path = null;
        if (ToolArguments.OptionalText(file_path) is { } requested)
        {
            path = await BrowserAccess.RunAsync(target, () => Task.FromResult(ScreenshotFile.Resolve(requested, kind, ProtectedFiles())));
        }

        var page = BrowserAccess.Page(target);
        var bytes = await BrowserAccess.RunAsync(target, () => page.ScreenshotAsync(new PageScreenshotOptions
        {
            Type = kind == "jpeg" ? ScreenshotType.Jpeg : ScreenshotType.Png,
            FullPage = full_page,
            Quality = jpegQuality,
            Timeout = ScreenshotTimeoutMs,
        }).WaitAsync(cancellationToken));

        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["format"] = kind;
        result["full_page"] = full_page;
        result["bytes"] = bytes.Length;
        if (path is not null)
        {
            await BrowserAccess.RunAsync(target, () =>
            {
                ScreenshotFile.Write(path, bytes);
                return Task.FromResult(true);
            });
            result["file_path"] = path;
            result["saved"] = true;
            return ToolResult.Ok(result);
        }
        if (bytes.Length > MaxInlineImageBytes)
        {
            throw new McpException($"The screenshot is {bytes.Length} bytes, too large to return inline (max {MaxInlineImageBytes}); pass file_path, or use format jpeg.");
        }
        var ok = ToolResult.Ok(result);
        ok.Content.Add(ImageContentBlock.FromBytes(bytes, kind == "jpeg" ? "image/jpeg" : "image/png"));
        return ok;
    }

    [McpServerTool(Name = "interceptor_browser_list_console", ReadOnly = true)]
    [Description("Console messages of the page (the newest 500 are kept), oldest first; uncaught exceptions appear with type pageerror.")]
    public CallToolResult ListConsole(
        [Description("Browser target id.")] string target_id,
        [Description("Only these types (log, info, warning, error, debug, pageerror, …), case-insensitive.")] string[]? types = null,
        [Description("Case-insensitive substring of the message text.")] string? text_filter = null,
        [Description("Messages to skip.")] double offset = 0,
        [Description("Page size, 1-500.")] double limit = ListWindow.DefaultLimit)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var window = ListWindow.From(offset, limit);
        var wanted = types is { Length: > 0 } ? new HashSet<string>(types.Select(t => t.Trim()), StringComparer.OrdinalIgnoreCase) : null;
        var filter = ToolArguments.OptionalText(text_filter);
        var all = target.Console.Snapshot()
            .Where(m => wanted is null || wanted.Contains(m.Type))
            .Where(m => filter is null || m.Text.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var page = window.Apply(all);
        var messages = new JsonArray([.. page.Select(m => (JsonNode)new JsonObject
        {
            ["type"] = m.Type,
            ["text"] = m.Text,
            ["location"] = m.Location,
            ["timestamp"] = m.Timestamp,
        })]);
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        return Paged(result, window, all.Count, "messages", messages);
    }

    [McpServerTool(Name = "interceptor_browser_list_cookies", ReadOnly = true)]
    [Description("Cookies of the browser (every site, HttpOnly included) with ids for interceptor_browser_get_cookie; values are previews unless full is set.")]
    public async Task<CallToolResult> ListCookiesAsync(
        [Description("Browser target id.")] string target_id,
        [Description("Case-insensitive substring of domain + path.")] string? url_filter = null,
        [Description("Case-insensitive substring of the domain.")] string? domain_filter = null,
        [Description("Case-insensitive substring of the name.")] string? name_filter = null,
        [Description("Cookies to skip.")] double offset = 0,
        [Description("Page size, 1-500.")] double limit = ListWindow.DefaultLimit,
        [Description("Preview length (0 = whole value, at most 20000).")] double value_max_chars = 256,
        [Description("Return whole values (up to 20000 chars) as value instead of value_preview.")] bool full = false,
        [Description("name (then domain), domain (then name) or expires (session cookies first).")] [AllowedValues("name", "domain", "expires")]
        string sort = "name",
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var window = ListWindow.From(offset, limit);
        var cap = full ? ValueCap.Max : ValueCap.Clamp(value_max_chars, 256);
        var query = new CookieQuery
        {
            UrlFilter = ToolArguments.OptionalText(url_filter),
            DomainFilter = ToolArguments.OptionalText(domain_filter),
            NameFilter = ToolArguments.OptionalText(name_filter),
            Sort = ToolArguments.OptionalChoice(sort, "sort", "name", "domain", "expires") switch
            {
                "domain" => CookieSort.Domain,
                "expires" => CookieSort.Expires,
                _ => CookieSort.Name,
            },
        };
        BrowserAccess.Page(target);
        var cookies = query.Apply(await BrowserAccess.RunAsync(target, () => ContextCookies.ReadAsync(target.Context, cancellationToken)));
        var page = window.Apply(cookies);
        var items = new JsonArray();
        foreach (var cookie in page)
        {
            var value = ValueCap.Apply(cookie.Value, cap);
            var item = new JsonObject
            {
                ["cookie_id"] = cookie.Id,
                ["name"] = cookie.Name,
                ["domain"] = cookie.Domain,
                ["path"] = cookie.Path,
                ["expires"] = cookie.Expires,
                ["httpOnly"] = cookie.HttpOnly,
                ["secure"] = cookie.Secure,
                ["sameSite"] = cookie.SameSite,
                ["value_length"] = value.Length,
                ["value_truncated"] = value.Truncated,
            };
            item[full ? "value" : "value_preview"] = value.Value;
            items.Add(item);
        }
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        return Paged(result, window, cookies.Count, "cookies", items);
    }

    [McpServerTool(Name = "interceptor_browser_get_cookie", ReadOnly = true)]
    [Description("One cookie by the cookie_id from interceptor_browser_list_cookies, with its value.")]
    public async Task<CallToolResult> GetCookieAsync(
        [Description("Browser target id.")] string target_id,
        [Description("cookie_id from interceptor_browser_list_cookies (ck_…).")] string cookie_id,
        [Description("Value cap (0 = whole value, at most 20000).")] double value_max_chars = ValueCap.Max,
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var id = ToolArguments.RequiredText(cookie_id, "cookie_id").Trim();
        var cap = ValueCap.Clamp(value_max_chars, ValueCap.Max);
        BrowserAccess.Page(target);
        var cookies = await BrowserAccess.RunAsync(target, () => ContextCookies.ReadAsync(target.Context, cancellationToken));
        var cookie = cookies.FirstOrDefault(c => c.Id == id) ?? throw new McpException($"Cookie '{id}' not found. Re-run list tool.");
        var value = ValueCap.Apply(cookie.Value, cap);
        var fields = new JsonObject
        {
            ["name"] = cookie.Name,
            ["value"] = value.Value,
            ["domain"] = cookie.Domain,
            ["path"] = cookie.Path,
            ["expires"] = cookie.Expires,
            ["httpOnly"] = cookie.HttpOnly,
            ["secure"] = cookie.Secure,
            ["sameSite"] = cookie.SameSite,
        };
        if (cookie.PartitionKey is { } partition) fields["partitionKey"] = partition;
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["cookie_id"] = id;
        result["cookie"] = fields;
        result["value_length"] = value.Length;
        result["value_truncated"] = value.Truncated;
        result["value_max_chars"] = cap;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_browser_list_storage_keys", ReadOnly = true)]
    [Description("localStorage or sessionStorage keys of the page's current origin, sorted, with value previews and item ids.")]
    public async Task<CallToolResult> ListStorageKeysAsync(
        [Description("Browser target id.")] string target_id,
        [Description("local or session.")] [AllowedValues("local", "session")] string storage_type,
        [Description("Must equal the page's current origin (e.g. https://example.com) if given.")] string? origin = null,
        [Description("Case-insensitive substring of the key.")] string? key_filter = null,
        [Description("Keys to skip.")] double offset = 0,
        [Description("Page size, 1-500.")] double limit = ListWindow.DefaultLimit,
        [Description("Preview length (0 = no preview, at most 20000).")] double value_max_chars = 256,
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var kind = StorageKindOf(storage_type);
        var window = ListWindow.From(offset, limit);
        var cap = ValueCap.Clamp(value_max_chars, 256);
        var filter = ToolArguments.OptionalText(key_filter);
        var page = BrowserAccess.Page(target);
        var current = await BrowserAccess.RunAsync(target, () => Task.FromResult(PageStorage.CurrentOrigin(page.Url, ToolArguments.OptionalText(origin)?.Trim())));
        var entries = (await BrowserAccess.RunAsync(target, () => PageStorage.ReadAllAsync(page, kind, cancellationToken)))
            .Where(e => filter is null || e.Key.Contains(filter, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var shown = window.Apply(entries);
        var items = new JsonArray();
        foreach (var entry in shown)
        {
            var preview = cap == 0 ? new CappedValue("", entry.Value.Length, entry.Value.Length > 0) : ValueCap.Apply(entry.Value, cap);
            items.Add(new JsonObject
            {
                ["item_id"] = new StorageItemId(kind, current, entry.Key).ToString(),
                ["key"] = entry.Key,
                ["value_preview"] = preview.Value,
                ["value_length"] = entry.Value.Length,
                ["value_truncated"] = preview.Truncated,
            });
        }
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["origin"] = current;
        result["storage_type"] = StorageItemId.Name(kind);
        return Paged(result, window, entries.Count, "items", items);
    }

    [McpServerTool(Name = "interceptor_browser_get_storage_value", ReadOnly = true)]
    [Description("One localStorage/sessionStorage value by the item_id from interceptor_browser_list_storage_keys.")]
    public async Task<CallToolResult> GetStorageValueAsync(
        [Description("Browser target id.")] string target_id,
        [Description("local or session (must match the item id).")] [AllowedValues("local", "session")] string storage_type,
        [Description("item_id from interceptor_browser_list_storage_keys (st.…).")] string item_id,
        [Description("Must equal the page's current origin if given.")] string? origin = null,
        [Description("Value cap (0 = whole value, at most 20000).")] double value_max_chars = ValueCap.Max,
        CancellationToken cancellationToken = default)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var kind = StorageKindOf(storage_type);
        var idText = ToolArguments.RequiredText(item_id, "item_id").Trim();
        var cap = ValueCap.Clamp(value_max_chars, ValueCap.Max);
        var id = StorageItemId.TryParse(idText) ?? throw new McpException($"Invalid item_id '{idText}'");
        if (id.Kind != kind)
        {
            throw new McpException($"item_id storage_type '{StorageItemId.Name(id.Kind)}' does not match requested '{StorageItemId.Name(kind)}'");
        }
        var page = BrowserAccess.Page(target);
        var current = await BrowserAccess.RunAsync(target, () => Task.FromResult(PageStorage.CurrentOrigin(page.Url, ToolArguments.OptionalText(origin)?.Trim())));
        if (!string.Equals(id.Origin, current, StringComparison.OrdinalIgnoreCase))
        {
            throw new McpException($"item_id origin '{id.Origin}' does not match current origin '{current}'. Navigate first.");
        }
        var raw = await BrowserAccess.RunAsync(target, () => PageStorage.ReadAsync(page, kind, id.Key, cancellationToken));
        var value = ValueCap.Apply(raw, cap, marker: false);
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["origin"] = current;
        result["storage_type"] = StorageItemId.Name(kind);
        result["item_id"] = idText;
        result["key"] = id.Key;
        result["value"] = value.Value;
        result["value_length"] = value.Length;
        result["value_truncated"] = value.Truncated;
        result["value_max_chars"] = cap;
        return ToolResult.Ok(result);
    }

    [McpServerTool(Name = "interceptor_browser_list_network_fields", ReadOnly = true)]
    [Description("Request and response headers of the traffic this browser sent through the proxy since it was launched, one row per " +
                 "header, with field ids for interceptor_browser_get_network_field.")]
    public CallToolResult ListNetworkFields(
        [Description("Browser target id.")] string target_id,
        [Description("request, response or both.")] [AllowedValues("request", "response", "both")] string direction = "both",
        [Description("Case-insensitive substring of the header name.")] string? header_name_filter = null,
        [Description("Exact HTTP method, e.g. GET.")] string? method_filter = null,
        [Description("Case-insensitive substring of the URL.")] string? url_filter = null,
        [Description("Exact response status code.")] double? status_filter = null,
        [Description("Case-insensitive substring of the hostname.")] string? hostname_filter = null,
        [Description("Rows to skip.")] double offset = 0,
        [Description("Page size, 1-500.")] double limit = ListWindow.DefaultLimit,
        [Description("Preview length (0 = whole value, at most 20000).")] double value_max_chars = 256)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var window = ListWindow.From(offset, limit);
        var cap = ValueCap.Clamp(value_max_chars, 256);
        // Only this browser's exchanges where connections can be traced to processes (proxy-mcp listed every client's, weakness 49).
        var ownOnly = target.Pid is not null && SocketOwnerLookup.IsSupported;
        var query = new NetworkFieldQuery
        {
            SinceTimestamp = target.ActivatedAt,
            ClientTarget = ownOnly ? target.Id : null,
            Direction = ToolArguments.OptionalChoice(direction, "direction", "request", "response", "both") ?? "both",
            HeaderNameContains = ToolArguments.OptionalText(header_name_filter),
            Method = ToolArguments.OptionalMethod(method_filter, "method_filter"),
            UrlContains = ToolArguments.OptionalText(url_filter),
            StatusCode = ToolArguments.OptionalInteger(status_filter, "status_filter", 100, 599),
            HostnameContains = ToolArguments.OptionalText(hostname_filter),
        };
        var fields = query.Apply(runtime.Capture.Snapshot());
        var shown = window.Apply(fields);
        var rows = new JsonArray();
        foreach (var field in shown)
        {
            var value = ValueCap.Apply(field.Value, cap);
            rows.Add(new JsonObject
            {
                ["field_id"] = field.Id.ToString(),
                ["exchange_id"] = field.Exchange.Id,
                ["direction"] = field.Id.Direction,
                ["header_name"] = field.HeaderName,
                ["value_preview"] = value.Value,
                ["value_length"] = value.Length,
                ["value_truncated"] = value.Truncated,
                ["method"] = field.Exchange.Request.Method,
                ["url"] = field.Exchange.Request.Url,
                ["hostname"] = field.Exchange.Request.Hostname,
                ["status"] = field.Exchange.Response?.StatusCode,
                ["timestamp"] = field.Exchange.Timestamp,
            });
        }
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["since_ts"] = target.ActivatedAt;
        result["scope"] = ownOnly ? "browser" : "all_clients";
        return Paged(result, window, fields.Count, "fields", rows);
    }

    [McpServerTool(Name = "interceptor_browser_get_network_field", ReadOnly = true)]
    [Description("The full value of one header listed by interceptor_browser_list_network_fields.")]
    public CallToolResult GetNetworkField(
        [Description("Browser target id.")] string target_id,
        [Description("field_id from interceptor_browser_list_network_fields (nf.…).")] string field_id,
        [Description("Value cap (0 = whole value, at most 20000).")] double value_max_chars = ValueCap.Max)
    {
        var target = BrowserAccess.Target(runtime, ToolArguments.RequiredText(target_id, "target_id").Trim());
        var idText = ToolArguments.RequiredText(field_id, "field_id").Trim();
        var cap = ValueCap.Clamp(value_max_chars, ValueCap.Max);
        var id = NetworkFieldId.TryParse(idText) ?? throw new McpException($"Invalid field_id '{idText}'");
        var exchange = runtime.Capture.Find(id.ExchangeId) ?? throw new McpException($"Exchange '{id.ExchangeId}' not found in capture buffer.");
        if (exchange.Timestamp < target.ActivatedAt) throw new McpException("field_id refers to an exchange older than this browser session.");
        if (id.Direction is not ("request" or "response")) throw new McpException($"Invalid field direction '{id.Direction}'");
        var raw = NetworkFieldQuery.FindValue(exchange, id.Direction, id.HeaderName)
            ?? throw new McpException($"Header '{id.HeaderName}' not found on {id.Direction}.");
        var value = ValueCap.Apply(raw, cap);
        var result = ToolResult.Success();
        result["target_id"] = target.Id;
        result["field_id"] = idText;
        result["exchange_id"] = exchange.Id;
        result["direction"] = id.Direction;
        result["header_name"] = id.HeaderName;
        result["value"] = value.Value;
        result["value_length"] = value.Length;
        result["value_truncated"] = value.Truncated;
        result["value_max_chars"] = cap;
        return ToolResult.Ok(result);
    }

    private static StorageKind StorageKindOf(string value) =>
        ToolArguments.OptionalChoice(ToolArguments.RequiredText(value, "storage_type"), "storage_type", "local", "session") == "session"
            ? StorageKind.Session
            : StorageKind.Local;

    /// <summary>The CA files in the data directory: a screenshot must never land on them.</summary>
    private string[] ProtectedFiles() =>
    [
        Path.Combine(runtime.Settings.CertificateDirectory, CertificateAuthority.CertificateFileName),
        Path.Combine(runtime.Settings.CertificateDirectory, CertificateAuthority.KeyFileName),
    ];

    /// <summary>The paged list envelope shared by the list tools: total, offset, limit, showing, then the items.</summary>
    private static CallToolResult Paged(JsonObject result, ListWindow window, int total, string name, JsonArray items)
    {
        result["total"] = total;
        result["offset"] = window.Offset;
        result["limit"] = window.Limit;
        result["showing"] = items.Count;
        result[name] = items;
        return ToolResult.Ok(result, new CapPage(name, window.Offset, total));
    }
}
