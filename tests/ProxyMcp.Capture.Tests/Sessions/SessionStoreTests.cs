using ProxyMcp.Capture.Sessions;

namespace ProxyMcp.Capture.Tests.Sessions;

public sealed class SessionStoreTests
{
    [Theory]
    [InlineData("../victim")]
    [InlineData("..")]
    [InlineData("../../")]
    [InlineData("/")]
    [InlineData("victim")]
    public void Delete_never_leaves_the_storage_root(string id)
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("sessions");
        var victim = temp.Combine("victim");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "keep.txt"), "precious");
        Directory.CreateDirectory(Path.Combine(root, "victim"));
        var store = new SessionStore(root);

        Assert.Throws<SessionException>(() => store.Delete(id));

        Assert.True(File.Exists(Path.Combine(victim, "keep.txt")));
        Assert.True(Directory.Exists(Path.Combine(root, "victim")));
    }

    [Fact]
    public void A_linked_session_folder_is_not_followed_on_delete()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("sessions");
        var elsewhere = temp.Combine("elsewhere");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, SessionDatabase.FileName), "not really");
        const string id = "20260101100000_link";
        Directory.CreateSymbolicLink(Path.Combine(root, id), elsewhere);
        var store = new SessionStore(root);

        var error = Assert.Throws<SessionException>(() => store.Delete(id));
        Assert.Contains("link", error.Message);
        Assert.True(File.Exists(Path.Combine(elsewhere, SessionDatabase.FileName)));
    }

    [Fact]
    public void Unknown_sessions_are_errors_not_empty_results()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Path);
        const string id = "20260101100000_nope";

        Assert.Contains("not found", Assert.Throws<SessionException>(() => store.Get(id)).Message);
        Assert.Contains("not found", Assert.Throws<SessionException>(() => store.Open(id)).Message);
        Assert.Contains("not found", Assert.Throws<SessionException>(() => store.Delete(id)).Message);
        Assert.Contains("not found", Assert.Throws<SessionException>(() => SessionRecovery.Recover(store, id)).Message);
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task Storage_dir_becomes_the_root_and_is_created_relative_to_the_working_directory()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Combine("default"));
        await using var recorder = new SessionRecorder(store);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, temp.Combine("custom", "nested"));

        var manifest = await recorder.StartAsync(new SessionStartOptions { StorageDir = relative, Name = "n" });
        await recorder.StopAsync();

        Assert.Equal(temp.Combine("custom", "nested"), store.Root);
        Assert.Equal(store.Root, manifest.StorageDir);
        Assert.True(File.Exists(Path.Combine(store.Root, manifest.Id, SessionDatabase.FileName)));
        Assert.True(File.Exists(Path.Combine(store.Root, manifest.Id, "manifest.json")));
        Assert.True(Directory.Exists(Path.Combine(store.Root, manifest.Id, "har")));
    }

    [Fact]
    public async Task Lifecycle_list_get_delete()
    {
        using var temp = new TempDirectory();
        var store = new SessionStore(temp.Path);
        await using var recorder = new SessionRecorder(store);
        var first = await SessionTestData.RecordAsync(recorder, CaptureProfile.Preview,
            [new PendingExchange(SessionTestData.Exchange("a", "http://a.test/"))], name: "one");
        var active = await recorder.StartAsync(new SessionStartOptions { Name = "two", MaxDiskMb = 5 });

        Assert.Contains("already active", (await Assert.ThrowsAsync<SessionException>(() => recorder.StartAsync(new SessionStartOptions()))).Message);
        Assert.Contains("active session", Assert.Throws<SessionException>(() => store.Delete(active.Id)).Message);
        var listed = store.List();
        Assert.Equal(2, listed.Count);
        Assert.Equal(SessionStatus.Active, store.Get(active.Id).Status);
        var stopped = store.Get(first);
        Assert.Equal(SessionStatus.Stopped, stopped.Status);
        Assert.Equal(1, stopped.ExchangeCount);
        Assert.Equal("one", stopped.Name);
        Assert.NotNull(stopped.EndedAt);

        var status = recorder.Status();
        Assert.True(status.Enabled);
        Assert.Equal(active.Id, status.SessionId);
        Assert.Equal(5, status.MaxDiskMb);

        var final = await recorder.StopAsync();
        Assert.Equal(SessionStatus.Stopped, final!.Status);
        Assert.Null(await recorder.StopAsync());
        Assert.False(recorder.Status().Enabled);

        store.Delete(first);
        Assert.Single(store.List());
        Assert.False(Directory.Exists(Path.Combine(temp.Path, first)));
    }
}
