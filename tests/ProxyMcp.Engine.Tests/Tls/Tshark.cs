namespace ProxyMcp.Engine.Tests.Tls;

/// <summary>Runs tshark over a synthetic capture and returns the requested fields, one row per TLS packet.</summary>
internal static class Tshark
{
    /// <summary>Set to a directory to keep each synthetic capture there for inspection (e.g. with other dissectors).</summary>
    public const string KeepCaptureVariable = "PROXYMCP_TLS_KEEP_PCAP";

    public static string? Path { get; } = ExternalTool.Find("tshark");

    /// <summary>
    /// Field values per packet, keyed by the TCP source port (which the tests make unique per packet). Repeated fields come
    /// back joined by commas, as tshark prints them.
    /// </summary>
    public static async Task<Dictionary<int, string[]>> ReadFieldsAsync(byte[] pcap, IReadOnlyList<string> fields)
    {
        var tshark = Path ?? throw new InvalidOperationException("tshark not installed");
        var file = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"proxymcp-tls-{Guid.NewGuid():N}.pcap");
        await File.WriteAllBytesAsync(file, pcap);
        if (Environment.GetEnvironmentVariable(KeepCaptureVariable) is { Length: > 0 } keep)
        {
            Directory.CreateDirectory(keep);
            File.Copy(file, System.IO.Path.Combine(keep, System.IO.Path.GetFileName(file)));
        }

        try
        {
            List<string> arguments = ["-n", "-r", file, "-d", "tcp.port==443,tls", "-T", "fields", "-E", "separator=/t",
                "-E", "occurrence=a", "-E", "aggregator=,", "-e", "tcp.srcport"];
            foreach (var field in fields)
            {
                arguments.Add("-e");
                arguments.Add(field);
            }

            var (exitCode, output, error) = await ExternalTool.RunAsync(tshark, arguments, TimeSpan.FromSeconds(120));
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"tshark failed ({exitCode}): {error}");
            }

            var rows = new Dictionary<int, string[]>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var columns = line.TrimEnd('\r').Split('\t');
                if (columns.Length == fields.Count + 1 && int.TryParse(columns[0], out var port))
                {
                    rows[port] = columns[1..];
                }
            }

            return rows;
        }
        finally
        {
            File.Delete(file);
        }
    }

    public static async Task<bool> SupportsFieldAsync(string field)
    {
        if (Path is null)
        {
            return false;
        }

        var (_, output, _) = await ExternalTool.RunAsync(Path, ["-G", "fields"], TimeSpan.FromSeconds(120));
        return output.Contains($"\t{field}\t", StringComparison.Ordinal);
    }
}
