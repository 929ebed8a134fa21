using Microsoft.Extensions.Logging.Abstractions;
using Serving.Runtime.Storage;
using Serving.Runtime.Tests.Infrastructure;
using static Serving.Runtime.Tests.Infrastructure.TestArchives;

namespace Serving.Runtime.Tests.Storage;

/// <summary>KServe's layout rules and the all-or-nothing destination, on local sources.</summary>
public sealed class StorageInitializerTests : IDisposable
{
    private readonly ModelDir _dir = new();

    [Fact]
    public async Task A_folder_is_copied_with_its_layout()
    {
        string source = Write("src/iris/1/model.onnx", "one");
        Write("src/iris/2/model.onnx", "two");

        string dest = await DownloadAsync(Path.Combine(_dir.Path, "src"));

        Assert.Equal(["iris/1/model.onnx", "iris/2/model.onnx"], ModelDir.Files(dest));
        Assert.True(File.Exists(source));
    }

    [Fact]
    public async Task A_single_file_keeps_its_name()
    {
        string source = Write("src/my-model.onnx", "m");

        string dest = await DownloadAsync("file://" + source);

        Assert.Equal(["my-model.onnx"], ModelDir.Files(dest));
    }

    [Fact]
    public async Task A_single_archive_is_unpacked_in_its_place()
    {
        string source = Path.Combine(_dir.Path, "src", "model.tar.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        await File.WriteAllBytesAsync(source, TarGz(Entry.File("iris/model.onnx", "m")));

        string dest = await DownloadAsync(source);

        Assert.Equal(["iris/model.onnx"], ModelDir.Files(dest));
    }

    [Fact]
    public async Task An_archive_beside_other_files_is_left_packed()
    {
        Write("src/model.zip", "not unpacked");
        Write("src/README", "r");

        string dest = await DownloadAsync(Path.Combine(_dir.Path, "src"));

        Assert.Equal(["README", "model.zip"], ModelDir.Files(dest));
    }

    [Fact]
    public async Task An_existing_destination_keeps_what_the_download_does_not_replace()
    {
        // A pod's /mnt/models exists (an emptyDir); a re-run of the init container finds the last download there.
        string dest = Path.Combine(_dir.Path, "dest");
        Write("dest/model.onnx", "old");
        Write("dest/notes.txt", "kept");
        Write("src/model.onnx", "new");

        await DownloadAsync(Path.Combine(_dir.Path, "src"), dest);

        Assert.Equal(["model.onnx", "notes.txt"], ModelDir.Files(dest));
        Assert.Equal("new", File.ReadAllText(Path.Combine(dest, "model.onnx")));
    }

    [Fact]
    public async Task A_failed_download_leaves_no_destination_and_no_staging_folder()
    {
        Write("src/a.onnx", "aaaa");
        Write("src/b.onnx", "bbbb");
        string dest = Path.Combine(_dir.Path, "dest");

        var e = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(Path.Combine(_dir.Path, "src"), dest, new StorageLimits { MaxBytes = 6 }));

        Assert.Equal("the download is larger than the limit of 6 bytes (--max-bytes)", e.Message);
        Assert.False(Directory.Exists(dest));
        Assert.Equal(["src"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_download_into_an_existing_destination_leaves_it_as_it_was()
    {
        string dest = Path.Combine(_dir.Path, "dest");
        Directory.CreateDirectory(dest);
        string source = Path.Combine(_dir.Path, "bad.tar.gz");
        await File.WriteAllBytesAsync(source, TarGz(Entry.File("model.onnx", "m"), Entry.File("../escape", "x")));

        await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(source, dest));

        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Fact]
    public async Task Staging_folders_left_by_a_killed_run_are_removed()
    {
        string dest = Path.Combine(_dir.Path, "dest");
        Write("dest/.serving-download-0123456789ab/model.onnx", "partial");
        Write(".serving-download-other-0123456789ab/x", "partial");
        Write(".serving-download-fresh-0123456789ab/x", "partial");
        Write("src/model.onnx", "m");

        await DownloadAsync(Path.Combine(_dir.Path, "src"), dest);
        await DownloadAsync(Path.Combine(_dir.Path, "src"), Path.Combine(_dir.Path, "fresh"));

        Assert.Equal(["model.onnx"], ModelDir.Files(dest));
        Assert.False(Directory.Exists(Path.Combine(_dir.Path, ".serving-download-fresh-0123456789ab")));
        Assert.True(Directory.Exists(Path.Combine(_dir.Path, ".serving-download-other-0123456789ab")));
    }

    [Fact]
    public async Task Missing_sources_and_empty_folders_are_named()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "empty"));

        var missing = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(Path.Combine(_dir.Path, "nope")));
        var empty = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(Path.Combine(_dir.Path, "empty")));

        Assert.Equal((StorageFailure.NotFound, $"no such file or folder '{_dir.Path}/nope'"), (missing.Failure, missing.Message));
        Assert.Equal((StorageFailure.NotFound, $"folder '{_dir.Path}/empty' holds no files"), (empty.Failure, empty.Message));
    }

    [Fact]
    public async Task A_destination_inside_the_source_is_refused()
    {
        Write("src/model.onnx", "m");

        var e = await Assert.ThrowsAsync<StorageException>(() => DownloadAsync(Path.Combine(_dir.Path, "src"), Path.Combine(_dir.Path, "src", "out")));

        Assert.Equal(StorageFailure.BadConfiguration, e.Failure);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<string> DownloadAsync(string uri, string? dest = null, StorageLimits? limits = null)
    {
        dest ??= Path.Combine(_dir.Path, "dest");
        using var handler = new HttpClientHandler();
        var initializer = new StorageInitializer(limits ?? new StorageLimits(), handler, _ => null, NullLogger<StorageInitializer>.Instance);
        await initializer.DownloadAsync(uri, dest, CancellationToken.None);
        return dest;
    }

    private string Write(string relative, string content)
    {
        string path = Path.Combine(_dir.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
