using ProxyMcp.Interceptors.Browser;
using ProxyMcp.Interceptors.Tests.Support;

namespace ProxyMcp.Interceptors.Tests.Browser;

public sealed class ScreenshotFileTests
{
    [Fact]
    public void The_extension_must_match_the_format()
    {
        using var directory = new TempDirectory();
        Assert.Equal(Path.Combine(directory.Path, "a.png"), ScreenshotFile.Resolve(Path.Combine(directory.Path, "a.png"), "png", []));
        Assert.EndsWith("b.JPG", ScreenshotFile.Resolve(Path.Combine(directory.Path, "b.JPG"), "jpeg", []));
        var error = Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(Path.Combine(directory.Path, "a.jpg"), "png", []));
        Assert.Equal($"file_path must end with .png for format 'png' (got '{Path.Combine(directory.Path, "a.jpg")}')", error.Message);
        Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(Path.Combine(directory.Path, "noext"), "jpeg", []));
    }

    [Fact]
    public void Relative_paths_are_taken_from_the_working_directory_and_directories_are_refused()
    {
        using var directory = new TempDirectory();
        Assert.Equal(Path.GetFullPath("shots/x.png"), ScreenshotFile.Resolve("shots/x.png", "png", []));
        var folder = Directory.CreateDirectory(Path.Combine(directory.Path, "dir.png")).FullName;
        Assert.Contains("is a directory", Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(folder, "png", [])).Message);
    }

    [Fact]
    public void Protected_files_are_refused_even_through_a_symbolic_link()
    {
        if (OperatingSystem.IsWindows()) return;
        using var directory = new TempDirectory();
        var key = Path.Combine(directory.Path, "ca.key.png");
        File.WriteAllText(key, "secret");
        var link = Path.Combine(directory.Path, "innocent.png");
        File.CreateSymbolicLink(link, key);
        var linkedDirectory = Path.Combine(directory.Path, "linked");
        Directory.CreateSymbolicLink(linkedDirectory, directory.Path);

        Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(key, "png", [key]));
        Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(link, "png", [key]));
        Assert.Throws<InterceptorException>(() => ScreenshotFile.Resolve(Path.Combine(linkedDirectory, "ca.key.png"), "png", [key]));
    }

    [Fact]
    public void Writing_creates_parents_and_replaces_a_link_instead_of_following_it()
    {
        if (OperatingSystem.IsWindows()) return;
        using var directory = new TempDirectory();
        var target = Path.Combine(directory.Path, "elsewhere.txt");
        File.WriteAllText(target, "keep me");
        var link = Path.Combine(directory.Path, "shot.png");
        File.CreateSymbolicLink(link, target);

        ScreenshotFile.Write(link, [1, 2, 3]);
        ScreenshotFile.Write(Path.Combine(directory.Path, "new", "deep", "x.png"), [4]);

        Assert.Equal("keep me", File.ReadAllText(target));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(link));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal([4], File.ReadAllBytes(Path.Combine(directory.Path, "new", "deep", "x.png")));
        Assert.Empty(Directory.GetFiles(directory.Path, "*.tmp"));
    }
}
