using System.Text.Json;
using Microsoft.Data.Sqlite;
using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Har;

/// <summary>The arguments of proxy_import_har.</summary>
public sealed record HarImportOptions
{
    /// <summary>The HAR file (absolute, or relative to the working directory).</summary>
    public required string HarFile { get; init; }
    /// <summary>Defaults to <c>har-import-&lt;file name without extension&gt;</c>.</summary>
    public string? SessionName { get; init; }
    public string? StorageDir { get; init; }
    public double MaxDiskMb { get; init; } = SessionStartOptions.DefaultMaxDiskMb;
    /// <summary>Abort on the first invalid entry and keep nothing.</summary>
    public bool Strict { get; init; }
}

/// <summary>proxy-mcp's importSummary.</summary>
/// <param name="IndexBacklog">Imported entries whose full-text index entries were still being built in the background on return.</param>
public sealed record HarImportSummary(string SourceFile, long TotalEntries, long ImportedEntries, long SkippedEntries, long ErrorCount,
    long? FirstTimestamp, long? LastTimestamp, IReadOnlyList<string> Warnings, long IndexBacklog = 0);

public sealed record HarImportResult(SessionManifest Manifest, HarImportSummary Summary);

/// <summary>
/// proxy_import_har: streams a HAR file of any size into a new stopped session (profile <c>full</c>), one entry
/// in memory at a time, committing in batches; the full-text index of a big import is finished in the background. Nothing partial is kept: a malformed document, or an invalid entry
/// under <c>strict</c>, deletes the new session and reports the entry index and the field at fault. Unlike
/// proxy-mcp it does not need the recorder to be idle: the import writes its own session.
/// </summary>
public static class HarImport
{
    public const int MaxWarnings = 100;
    private const int BatchSize = 2000;
    private const int IndexSlice = 20_000;

    public static Task<HarImportResult> RunAsync(SessionStore store, HarImportOptions options, IProgress<SessionProgress>? progress,
        CancellationToken cancellationToken) =>
        Task.Run(() => Run(store, options, progress, cancellationToken), cancellationToken);

    private static HarImportResult Run(SessionStore store, HarImportOptions options, IProgress<SessionProgress>? progress, CancellationToken cancellationToken)
    {
        if (double.IsNaN(options.MaxDiskMb) || options.MaxDiskMb <= 0) throw new SessionException("max_disk_mb must be a positive number of megabytes.");
        var source = HarFilePath.ForImport(options.HarFile);
        FileStream file;
        try
        {
            file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SessionException($"Cannot read HAR file '{source}': {ex.Message}", ex);
        }
        var length = file.Length;
        using var entries = new HarEntryStream(file);
        if (options.StorageDir is not null) store.UseRoot(options.StorageDir);
        var name = options.SessionName ?? "har-import-" + Path.GetFileNameWithoutExtension(source);
        var (manifest, directory, connection) = store.Create(name, CaptureProfile.Full, options.MaxDiskMb, origin: "har");
        // Rows go in without the secondary indexes; they are built once, sorted, after the last row.
        SessionDatabase.Execute(connection, SessionDatabase.DropExchangeIndexes);
        var lockStream = SessionFiles.AcquireLock(directory);
        var databasePath = Path.Combine(directory, SessionDatabase.FileName);
        var maxBytes = (long)Math.Min(options.MaxDiskMb * 1024 * 1024, long.MaxValue / 2);
        var warnings = new List<string>();
        long total = 0, imported = 0, skipped = 0, errors = 0, lastSeq = 0;
        long? first = null, last = null;
        var importTime = store.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var capReached = false;
        string? capMessage = null;
        var succeeded = false;
        try
        {
            using var rows = new ExchangeRowWriter(connection);
            SqliteTransaction? transaction = null;
            var inBatch = 0;
            try
            {
                while (entries.Next() is { } document)
                {
                    using (document)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        total++;
                        if (capReached)
                        {
                            skipped++;
                            continue;
                        }
                        var (converted, error) = HarEntryConverter.Convert(document.RootElement, (int)Math.Min(total, int.MaxValue), manifest.Id, importTime, options.Strict);
                        if (error is not null)
                        {
                            errors++;
                            skipped++;
                            if (options.Strict) throw new SessionException(error + " Nothing was imported (strict).");
                            AddWarning(warnings, error.ToString());
                            continue;
                        }
                        foreach (var warning in converted!.Warnings) AddWarning(warnings, warning);
                        transaction ??= connection.BeginTransaction();
                        // Full-text entries are added after the rows, in big slices: three to four times faster than one by one.
                        lastSeq = rows.Insert(transaction, converted.Pending, keepBodies: true, index: false);
                        imported++;
                        var timestamp = converted.Pending.Exchange.Timestamp;
                        first = first is null ? timestamp : Math.Min(first.Value, timestamp);
                        last = last is null ? timestamp : Math.Max(last.Value, timestamp);
                        if (++inBatch >= BatchSize)
                        {
                            Commit(connection, transaction, imported, lastSeq, databasePath, store.Time);
                            transaction.Dispose();
                            transaction = null;
                            inBatch = 0;
                            // Reading is half the work of a small import (indexing follows) and all of a big one (its index is
                            // built in the background): the figure switches scale upward once, so it only grows.
                            var read = imported >= store.Indexing.DeferAtRows ? entries.Position : entries.Position / 2;
                            progress?.Report(new SessionProgress(read, length, $"Imported {imported} HAR entries"));
                            if (SessionFiles.DiskUsage(databasePath) > maxBytes)
                            {
                                capReached = true;
                                capMessage = $"Session disk cap reached ({options.MaxDiskMb} MB): the remaining entries were not imported.";
                                AddWarning(warnings, capMessage);
                            }
                        }
                    }
                }
                if (transaction is not null) Commit(connection, transaction, imported, lastSeq, databasePath, store.Time);
            }
            finally
            {
                transaction?.Dispose();
            }
            SessionDatabase.Execute(connection, SessionDatabase.CreateExchangeIndexes);
            // A big import answers once its rows are stored and builds its full-text index in the background (queries
            // and exports see every row at once; body search reports the backlog); a small one is searchable on return.
            var deferIndex = imported >= store.Indexing.DeferAtRows;
            long indexed = 0;
            while (!deferIndex && SearchIndexer.IndexDeferredSlice(connection, IndexSlice, cancellationToken) is > 0 and var slice)
            {
                indexed += slice;
                // Reading the file is the first half of the work, indexing the second: the reported figure only grows.
                var share = imported == 0 ? 1.0 : (double)indexed / imported;
                progress?.Report(new SessionProgress(length / 2 + (long)(share * (length - length / 2)), length,
                    $"Indexed {indexed} of {imported} imported entries for search"));
            }
            var final = store.Finish(connection, directory, capMessage);
            progress?.Report(new SessionProgress(length, length, $"Imported {imported} HAR entries"));
            succeeded = true;
            if (deferIndex) _ = store.Indexing.Start(databasePath);
            // A big import is about to be queried: load its substring-filter columns in the background now.
            if (imported >= store.Locators.MinRows) _ = store.Locators.StartLoading(databasePath);
            var backlog = deferIndex ? imported : 0;
            return new HarImportResult(final, new HarImportSummary(source, total, imported, skipped, errors, first, last, warnings, backlog));
        }
        finally
        {
            connection.Dispose();
            SessionFiles.ReleaseLock(lockStream, directory);
            if (!succeeded)
            {
                SessionStore.ReleasePooledConnections(databasePath);
                try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static void Commit(SqliteConnection connection, SqliteTransaction transaction, long imported, long lastSeq, string databasePath, TimeProvider time)
    {
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE session SET exchange_count=$count, last_sequence=$last, bytes_written=$bytes, last_flush_at=$now";
        update.Parameters.AddWithValue("$count", imported);
        update.Parameters.AddWithValue("$last", lastSeq);
        update.Parameters.AddWithValue("$bytes", SessionFiles.DiskUsage(databasePath));
        update.Parameters.AddWithValue("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        update.ExecuteNonQuery();
        transaction.Commit();
    }

    private static void AddWarning(List<string> warnings, string warning)
    {
        if (warnings.Count < MaxWarnings) warnings.Add(warning);
    }
}
