using ProxyMcp.Interceptors.Process;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Process;

public sealed class CaBundleFilesTests : IDisposable
{
    private const string OurPem = "-----BEGIN CERTIFICATE-----\nOURS\n-----END CERTIFICATE-----\n";
    private readonly TempDirectory _temp = new();
    private readonly string _systemBundle;

    public CaBundleFilesTests()
    {
        _systemBundle = Path.Combine(_temp.Path, "system.crt");
        File.WriteAllText(_systemBundle, "-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----");
    }

    private CaBundleFiles NewFiles() => new(Path.Combine(_temp.Path, "out"), () => _systemBundle);

    [Fact]
    public void The_bundle_holds_the_system_roots_then_our_ca_and_the_ca_file_ours_alone()
    {
        var files = NewFiles().Ensure(OurPem);

        var bundle = File.ReadAllText(files.CaBundlePath);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----\nSYSTEM\n-----END CERTIFICATE-----\n", bundle);
        Assert.EndsWith(OurPem, bundle);
        Assert.Equal(OurPem, File.ReadAllText(files.CaCertificatePath));
    }

    [Fact]
    public void Files_are_readable_by_the_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var files = NewFiles().Ensure(OurPem);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.CaBundlePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(files.CaCertificatePath));
    }

    [Fact]
    public void Reused_while_unchanged_and_rewritten_when_our_ca_or_the_system_bundle_changes()
    {
        var caFiles = NewFiles();
        var first = caFiles.Ensure(OurPem);
        Assert.Equal(first, caFiles.Ensure(OurPem));

        var otherCa = caFiles.Ensure(OurPem.Replace("OURS", "NEW"));
        Assert.NotEqual(first.CaBundlePath, otherCa.CaBundlePath);

        File.AppendAllText(_systemBundle, "\n# one more root\n");
        File.SetLastWriteTimeUtc(_systemBundle, DateTime.UtcNow.AddMinutes(1));
        var afterSystemChange = caFiles.Ensure(OurPem.Replace("OURS", "NEW"));
        Assert.NotEqual(otherCa.CaBundlePath, afterSystemChange.CaBundlePath);
        Assert.Contains("# one more root", File.ReadAllText(afterSystemChange.CaBundlePath));
    }

    [Fact]
    public void Delete_removes_every_file_written_and_a_later_ensure_writes_them_again()
    {
        var caFiles = NewFiles();
        var first = caFiles.Ensure(OurPem);
        var second = caFiles.Ensure(OurPem.Replace("OURS", "NEW"));

        caFiles.Delete();

        Assert.Empty(Directory.GetFiles(caFiles.Directory));
        var again = caFiles.Ensure(OurPem);
        Assert.Equal(first, again);
        Assert.True(File.Exists(again.CaBundlePath));
        Assert.False(File.Exists(second.CaBundlePath));
    }

    [Fact]
    public void The_system_bundle_is_ssl_cert_file_when_it_exists_else_a_well_known_path()
    {
        Assert.Equal(_systemBundle, SystemRoots.LocateBundle(_systemBundle));
        Assert.Equal("/etc/pki/tls/certs/ca-bundle.crt",
            SystemRoots.LocateBundle("/nonexistent.pem", p => p == "/etc/pki/tls/certs/ca-bundle.crt"));
        Assert.Null(SystemRoots.LocateBundle(null, _ => false));
    }

    public void Dispose() => _temp.Dispose();
}
