using System.Diagnostics;
using ProxyMcp.Capture.Live;
using ProxyMcp.Capture.Sessions;
using ProxyMcp.Engine.Exchanges;

namespace ProxyMcp.Capture.Replay;

/// <summary>
/// proxy_replay_session (spec 6.13), with the original's pitfalls fixed (weakness 43): the complete stored request
/// body is sent as stored — raw wire bytes with their own Content-Encoding — and an exchange whose body was not
/// kept (preview profile, or cut at capture) is skipped with the reason rather than sent with a 4 KB preview; a path
/// in <c>target_base_url</c> is kept as a prefix; the timeout covers the response body; requests run with bounded
/// concurrency and an optional rate. Results are recorded as exchanges (<c>replay_&lt;uuid&gt;</c>, source
/// "replay") of the replayed session — through its writer when it is the recording session — and in the live capture.
/// </summary>
public sealed class SessionReplay(SessionStore store, SessionRecorder recorder, LiveCapture? live, IReplaySender sender)
{
    private static readonly HashSet<string> DroppedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "proxy-connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "host",
        "proxy-authorization",
    };

    public async Task<ReplayResult> RunAsync(string sessionId, ReplayOptions options, IProgress<SessionProgress>? progress, CancellationToken cancellationToken)
    {
        Uri? targetBase = null;
        if (options.TargetBaseUrl is not null
            && (!Uri.TryCreate(options.TargetBaseUrl, UriKind.Absolute, out targetBase) || targetBase.Scheme is not ("http" or "https")))
            throw new SessionException($"target_base_url must be an absolute http(s) URL (got '{options.TargetBaseUrl}').");

        List<(ReplayPlanItem Plan, ReplayRequest? Request)> plan;
        using (var reader = store.Open(sessionId))
        {
            plan = Plan(reader, options, targetBase);
        }
        if (!options.Execute)
        {
            return new ReplayResult("dry_run", sessionId, plan.Count, 0, 0, 0, plan.Count(p => p.Plan.SkipReason is not null), options.TargetBaseUrl,
                plan.Select(p => new ReplayItemResult(p.Plan, null, null, null, null, null, null)).ToList());
        }

        var results = new ReplayItemResult[plan.Count];
        using var appender = store.ActiveSessionId == sessionId ? null : SessionAppender.Open(store, sessionId);
        var started = Stopwatch.StartNew();
        var done = 0;
        var concurrency = Math.Max(1, options.Concurrency);
        await Parallel.ForEachAsync(Enumerable.Range(0, plan.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (index, token) =>
            {
                var (item, request) = plan[index];
                if (request is null)
                {
                    results[index] = new ReplayItemResult(item, "skipped", null, null, null, null, item.SkipReason);
                }
                else
                {
                    if (options.RatePerSecond is > 0 and var rate)
                    {
                        var due = TimeSpan.FromSeconds(index / rate) - started.Elapsed;
                        if (due > TimeSpan.Zero) await Task.Delay(due, token).ConfigureAwait(false);
                    }
                    results[index] = await SendOne(sessionId, item, request, appender, token).ConfigureAwait(false);
                }
                var finished = Interlocked.Increment(ref done);
                progress?.Report(new SessionProgress(finished, plan.Count, $"Replayed {finished} of {plan.Count}"));
            }).ConfigureAwait(false);

        var executed = results.Count(r => r.Status is "success" or "error");
        return new ReplayResult("execute", sessionId, plan.Count, executed, results.Count(r => r.Status == "success"), results.Count(r => r.Status == "error"),
            results.Count(r => r.Status == "skipped"), options.TargetBaseUrl, results);
    }

    private static List<(ReplayPlanItem, ReplayRequest?)> Plan(SessionReader reader, ReplayOptions options, Uri? targetBase)
    {
        var entries = new List<SessionIndexEntry>();
        if (options.ExchangeIds is { Count: > 0 } ids)
        {
            foreach (var id in ids)
                entries.Add(reader.FindById(id) ?? throw new SessionException($"Exchange '{id}' not found in session '{reader.SessionId}'."));
        }
        else
        {
            entries.AddRange(reader.Page(options.Query, options.Offset, options.Limit));
        }
        var timeout = TimeSpan.FromMilliseconds(Math.Max(1000, options.TimeoutMs));
        var plan = new List<(ReplayPlanItem, ReplayRequest?)>(entries.Count);
        foreach (var entry in entries)
        {
            var stored = reader.GetExchange(entry.Seq)!;
            var request = stored.Exchange.Request;
            var target = Target(request.Url, targetBase);
            var hasBody = request.BodySize > 0 || stored.RequestBody is not null;
            string? skip = null;
            byte[]? body = null;
            if (target is null)
            {
                skip = $"The stored URL '{request.Url}' is not an absolute http(s) URL.";
            }
            else if (hasBody && stored.RequestBody is null)
            {
                skip = "The request body was not stored (capture profile 'preview'); replaying it with a preview would send a different request.";
            }
            else if (stored.RequestBody is { Truncated: true })
            {
                skip = $"The stored request body was cut at capture after {stored.RequestBody.Length} bytes.";
            }
            else if (stored.RequestBody is not null)
            {
                body = reader.ReadRawBody(entry.Seq, response: false);
            }
            var headers = new HeaderList();
            foreach (var (name, value) in request.Headers)
            {
                if (DroppedHeaders.Contains(name) || name.StartsWith(':')) continue;
                // A body stored decoded (HAR import) is sent decoded: its old Content-Encoding no longer applies.
                if (stored.RequestBody is { Decoded: true } && name.Equals("content-encoding", StringComparison.OrdinalIgnoreCase)) continue;
                headers.Add(name, value);
            }
            // AbsoluteUri keeps the escapes that are sent (%20 stays %20); ToString() would show them decoded.
            var targetText = target?.AbsoluteUri ?? request.Url;
            var item = new ReplayPlanItem(entry.Seq, entry.ExchangeId, request.Method.ToUpperInvariant(), request.Url, targetText, target?.Host ?? request.Hostname,
                hasBody, skip);
            plan.Add((item, skip is null ? new ReplayRequest(item.Method, target!, headers, body, timeout) : null));
        }
        return plan;
    }

    /// <summary>The original URL, or its path and query on the base (whose own path, if any, becomes a prefix).</summary>
    internal static Uri? Target(string original, Uri? targetBase)
    {
        if (!Uri.TryCreate(original, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) return null;
        if (targetBase is null) return uri;
        var prefix = targetBase.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(targetBase.Scheme, targetBase.Host, targetBase.Port)
        {
            Path = prefix + uri.AbsolutePath,
            Query = uri.Query.TrimStart('?'),
        };
        return builder.Uri;
    }

    private async Task<ReplayItemResult> SendOne(string sessionId, ReplayPlanItem item, ReplayRequest request, SessionAppender? appender, CancellationToken cancellationToken)
    {
        var timestamp = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var clock = Stopwatch.StartNew();
        ReplayResponse response;
        try
        {
            response = await sender.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ReplayItemResult(item, "error", Math.Round(clock.Elapsed.TotalMilliseconds, 1), null, null, null, Describe(ex));
        }
        var id = "replay_" + Guid.NewGuid().ToString();
        var exchange = new Exchange
        {
            Id = id,
            Timestamp = timestamp,
            Source = "replay",
            HttpVersion = response.HttpVersion,
            Request = new ExchangeRequest
            {
                Method = request.Method,
                Url = request.Url.AbsoluteUri,
                Hostname = request.Url.Host,
                Path = request.Url.PathAndQuery,
                Headers = request.Headers,
                BodyPreview = request.Body is null ? "" : BodyPreview.Create(request.Body, request.Headers.Get("content-encoding"), request.Headers.Get("content-type"), complete: true),
                BodySize = request.Body?.Length ?? 0,
            },
            Response = new ExchangeResponse
            {
                StatusCode = response.StatusCode,
                StatusMessage = response.ReasonPhrase,
                Headers = response.Headers,
                BodyPreview = BodyPreview.Create(response.Body, response.Headers.Get("content-encoding"), response.Headers.Get("content-type"), complete: !response.Truncated),
                BodySize = response.Body.Length,
            },
            Duration = Math.Round(response.DoneMs, 3),
            Timings = new ExchangeTimings { RequestSentMs = 0, ResponseHeadersMs = response.HeadersMs, ResponseDoneMs = response.DoneMs },
        };
        live?.Add(exchange);
        var pending = new PendingExchange(exchange, request.Body is { Length: > 0 } ? BodyInput.FromBytes(request.Body) : null,
            response.Body.Length > 0 ? BodyInput.FromBytes(response.Body, truncated: response.Truncated) : null);
        string? recordError = null;
        try
        {
            if (appender is not null) appender.Append(pending);
            else if (!recorder.Record(pending)) recordError = "The replay was sent but could not be recorded (the session's write queue is full or it stopped).";
        }
        catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            recordError = "The replay was sent but could not be recorded: " + ex.Message;
        }
        return new ReplayItemResult(item, "success", Math.Round(response.DoneMs, 1), response.StatusCode, response.Body.Length, id, recordError);
    }

    private static string Describe(Exception ex)
    {
        var message = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException) message += " " + inner.Message;
        return message;
    }
}
