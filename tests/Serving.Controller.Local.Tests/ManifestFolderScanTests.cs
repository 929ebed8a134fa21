using Serving.Controller.Local.Sources;
using Serving.Controller.Local.Tests.Infrastructure;

namespace Serving.Controller.Local.Tests;

/// <summary>
/// The folder's scans on real files: a file caught in the middle of a write or a move (truncated, absent for a moment)
/// changes nothing; a change counts once two scans in a row see it.
/// </summary>
public sealed class ManifestFolderScanTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "serving-folder-scan", Guid.NewGuid().ToString("N")[..12]);

    public ManifestFolderScanTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_first_scan_loads_what_is_there_at_once()
    {
        Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1));
        var folder = new ManifestFolder(_directory);

        Assert.Equal(["iris"], Names(folder.Scan()));
        Assert.Null(folder.Scan());
    }

    [Fact]
    public void A_file_seen_empty_in_the_middle_of_a_write_deletes_nothing()
    {
        Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "1"));
        var folder = new ManifestFolder(_directory);
        Assert.Equal(["iris"], Names(folder.Scan()));

        Write("iris.yaml", ""); // truncated: the scan falls between the truncation and the write
        Assert.Null(folder.Scan());
        Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1, version: "2"));
        Assert.Null(folder.Scan()); // changed again since the last scan: not settled yet
        var settled = folder.Scan();

        Assert.Equal(["iris"], Names(settled));
        var iris = settled!.Objects.Single().Object;
        Assert.Contains("--model_version=2", System.Text.Json.JsonSerializer.Serialize(iris, iris.GetType(), Serving.Controller.Api.KubeJson.Options), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_moved_away_for_one_scan_deletes_nothing()
    {
        Write("iris.yaml", Manifests.Iris("iris", minReplicas: 1));
        var folder = new ManifestFolder(_directory);
        Assert.Equal(["iris"], Names(folder.Scan()));

        File.Move(Path.Combine(_directory, "iris.yaml"), Path.Combine(_directory, "iris.yaml~"));
        Assert.Null(folder.Scan());
        File.Move(Path.Combine(_directory, "iris.yaml~"), Path.Combine(_directory, "iris.yaml"));

        Assert.Null(folder.Scan());
        Assert.Null(folder.Scan());
    }

    [Fact]
    public void A_deletion_and_a_new_file_count_on_the_second_scan_that_sees_them()
    {
        Write("a.yaml", Manifests.Iris("a", minReplicas: 1));
        var folder = new ManifestFolder(_directory);
        Assert.Equal(["a"], Names(folder.Scan()));

        File.Delete(Path.Combine(_directory, "a.yaml"));
        Write("b.yaml", Manifests.Iris("b", minReplicas: 1));
        Assert.Null(folder.Scan());

        Assert.Equal(["b"], Names(folder.Scan()));
        Assert.Null(folder.Scan());
    }

    private void Write(string file, string text) => File.WriteAllText(Path.Combine(_directory, file), text);

    private static IEnumerable<string?> Names(ManifestSnapshot? snapshot) =>
        Assert.IsType<ManifestSnapshot>(snapshot).Objects.Select(o => o.Object.Metadata.Name);
}
