using System.Formats.Tar;
using Serving.Runtime.Storage;
using Serving.Runtime.Tests.Infrastructure;
using static Serving.Runtime.Tests.Infrastructure.TestArchives;

namespace Serving.Runtime.Tests.Storage;

/// <summary>Unpacking archives that may be hostile: nothing lands outside the destination, and the limits hold.</summary>
public sealed class ArchivesTests : IDisposable
{
    private readonly ModelDir _dir = new();

    [Theory]
    [InlineData("model.tar.gz", "TarGz")]
    [InlineData("MODEL.TGZ", "TarGz")]
    [InlineData("model.tar", "Tar")]
    [InlineData("model.zip", "Zip")]
    [InlineData("model.onnx", null)]
    [InlineData("model.gz", null)]
    public void Archives_are_known_by_their_file_name(string name, string? kind)
    {
        Assert.Equal(kind, Archives.KindOf(name)?.ToString());
    }

    [Fact]
    public async Task A_tar_gz_unpacks_with_its_folders()
    {
        var into = await UnpackAsync("m.tar.gz", TarGz(
            Entry.Folder("./"), Entry.Folder("./iris"), Entry.File("./iris/model.onnx", "onnx"), Entry.File("README", "hi")));

        Assert.Equal("onnx", File.ReadAllText(Path.Combine(into.Root, "iris", "model.onnx")));
        Assert.Equal("hi", File.ReadAllText(Path.Combine(into.Root, "README")));
    }

    [Fact]
    public async Task A_zip_unpacks_with_its_folders_and_windows_separators()
    {
        var into = await UnpackAsync("m.zip", Zip(Entry.Folder("iris/"), Entry.File("iris/1/model.onnx", "onnx"), Entry.File(@"iris\2\model.onnx", "two")));

        Assert.Equal("onnx", File.ReadAllText(Path.Combine(into.Root, "iris", "1", "model.onnx")));
        Assert.Equal("two", File.ReadAllText(Path.Combine(into.Root, "iris", "2", "model.onnx")));
    }

    [Theory]
    [InlineData("../evil.onnx")]
    [InlineData("iris/../../evil.onnx")]
    [InlineData("/etc/evil.onnx")]
    [InlineData(@"..\evil.onnx")]
    public async Task Zip_slip_entries_are_refused(string name)
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.zip", Zip(Entry.File("ok.onnx", "ok"), Entry.File(name, "evil"))));

        Assert.Equal(StorageFailure.UnsafePath, e.Failure);
        Assert.Contains("would be written outside the destination", e.Message);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "out", "evil.onnx")));
    }

    [Theory]
    [InlineData("../evil.onnx")]
    [InlineData("./a/../../evil.onnx")]
    [InlineData("/tmp/evil.onnx")]
    public async Task Tar_entries_with_dot_dot_or_absolute_paths_are_refused(string name)
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(Entry.File(name, "evil"))));

        Assert.Equal(StorageFailure.UnsafePath, e.Failure);
        Assert.Equal($"archive entry '{name}' would be written outside the destination (an absolute path or '..')", e.Message);
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/../../outside")]
    public async Task Links_pointing_outside_are_refused(string target)
    {
        var tar = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(Entry.File("model.onnx", "x"), Entry.Symlink("link", target))));
        var zip = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.zip", Zip(Entry.File("model.onnx", "x"), Entry.Symlink("link", target))));

        Assert.Equal($"archive entry 'link' links outside the destination ('{target}')", tar.Message);
        Assert.Equal(tar.Message, zip.Message);
    }

    [Fact]
    public async Task A_chain_of_links_that_climbs_out_is_refused()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(
            Entry.Folder("a"), Entry.Symlink("a/up", ".."), Entry.Symlink("escape", "a/up/.."))));

        Assert.Equal(StorageFailure.UnsafePath, e.Failure);
    }

    [Fact]
    public async Task Links_inside_the_archive_become_copies_and_no_link_is_created()
    {
        var into = await UnpackAsync("m.tar.gz", TarGz(
            Entry.Folder("blobs"),
            Entry.File("blobs/abc", "weights"),
            Entry.Folder("iris"),
            Entry.Symlink("iris/model.onnx", "../blobs/abc"),
            new Entry("hard.onnx", LinkTo: "blobs/abc", HardLink: true)));

        string model = Path.Combine(into.Root, "iris", "model.onnx");
        Assert.Equal("weights", File.ReadAllText(model));
        Assert.Null(new FileInfo(model).LinkTarget);
        Assert.Equal("weights", File.ReadAllText(Path.Combine(into.Root, "hard.onnx")));
    }

    [Fact]
    public async Task A_zip_link_inside_becomes_a_copy()
    {
        var into = await UnpackAsync("m.zip", Zip(Entry.File("weights.bin", "w"), Entry.Symlink("model.onnx", "weights.bin")));

        Assert.Equal("w", File.ReadAllText(Path.Combine(into.Root, "model.onnx")));
        Assert.Null(new FileInfo(Path.Combine(into.Root, "model.onnx")).LinkTarget);
    }

    [Fact]
    public async Task A_link_to_a_missing_entry_says_so()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(Entry.Symlink("model.onnx", "nowhere.onnx"))));

        Assert.Equal("archive entry 'model.onnx' links to 'nowhere.onnx', which the archive does not contain", e.Message);
    }

    [Fact]
    public async Task Devices_and_pipes_are_refused()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(new Entry("fifo", Type: TarEntryType.Fifo))));

        Assert.Equal("archive entry 'fifo' is a Fifo entry; only files, folders and links are unpacked", e.Message);
    }

    [Fact]
    public async Task An_archive_that_unpacks_to_more_than_the_byte_limit_stops_there()
    {
        // 1 MiB of zeros compresses to about 1 KiB: the limit is on what is written, not on the archive's size.
        var limits = new StorageLimits { MaxBytes = 512 * 1024 };
        var bomb = TarGz(Entry.File("zeros.bin", new byte[1024 * 1024]));

        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("bomb.tar.gz", bomb, limits));

        Assert.Equal(StorageFailure.TooLarge, e.Failure);
        Assert.Equal("archive 'bomb.tar.gz' is larger than the limit of 524288 bytes (--max-bytes)", e.Message);
        Assert.True(bomb.Length < 512 * 1024);
    }

    [Fact]
    public async Task A_zip_whose_directory_claims_more_than_the_limit_is_refused_before_unpacking()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.zip", Zip(Entry.File("a", new byte[2048])), new StorageLimits { MaxBytes = 1024 }));

        Assert.Equal("archive 'm.zip' is 2048 bytes, larger than the limit of 1024 bytes (--max-bytes)", e.Message);
    }

    [Fact]
    public async Task An_archive_with_more_entries_than_the_limit_is_refused()
    {
        var entries = Enumerable.Range(0, 11).Select(i => Entry.File($"f{i}", "x")).ToArray();

        var tar = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.tar.gz", TarGz(entries), new StorageLimits { MaxFiles = 10 }));
        var zip = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("m.zip", Zip(entries), new StorageLimits { MaxFiles = 10 }));

        Assert.Equal("archive 'm.tar.gz' has more than the limit of 10 files (--max-files)", tar.Message);
        Assert.Equal("archive 'm.zip' has 11 files, more than the limit of 10 (--max-files)", zip.Message);
    }

    [Fact]
    public async Task A_corrupt_archive_is_named()
    {
        var e = await Assert.ThrowsAsync<StorageException>(() => UnpackAsync("model.tar.gz", "not gzip at all"u8.ToArray()));

        Assert.Equal(StorageFailure.Failed, e.Failure);
        Assert.StartsWith("archive 'model.tar.gz' is not a valid tar.gz file (", e.Message);
    }

    public void Dispose() => _dir.Dispose();

    private async Task<DownloadFolder> UnpackAsync(string name, byte[] archive, StorageLimits? limits = null)
    {
        string path = Path.Combine(_dir.Path, name);
        await File.WriteAllBytesAsync(path, archive);
        var into = new DownloadFolder(Path.Combine(_dir.Path, "out", "unpacked"), limits ?? new StorageLimits(), $"archive '{name}'");
        await Archives.UnpackAsync(path, Archives.KindOf(name)!.Value, into, CancellationToken.None);
        return into;
    }
}
