using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Serving.Runtime.Tests.Infrastructure;
using static Serving.Runtime.Tests.Infrastructure.TestArchives;

namespace Serving.Runtime.Tests.EndToEnd;

/// <summary>
/// The download mode as a Kubernetes init container runs it: the real executable, its arguments, its environment, its
/// exit code and the one line it writes on failure; then the runtime serves what it downloaded.
/// </summary>
public sealed class StorageInitializerProcessTests : IClassFixture<S3rver>, IDisposable
{
    private const string IrisRow = """{"instances":[[6.8,2.8,4.8,1.4]]}""";

    private static readonly byte[] Iris = File.ReadAllBytes(Path.Combine(RepoPaths.Iris, "model.onnx"));

    private readonly S3rver _s3;
    private readonly ModelDir _dir = new();

    public StorageInitializerProcessTests(S3rver s3) => _s3 = s3;

    private string Dest => Path.Combine(_dir.Path, "mnt", "models");

    [Fact]
    public async Task A_local_folder_is_copied_and_served()
    {
        var (code, _) = await DownloadAsync(["storage-initializer", "file://" + RepoPaths.Iris, Dest]);

        Assert.Equal(0, code);
        await AssertServesIrisAsync(Dest);
    }

    [Fact]
    public async Task Kserve_bare_arguments_download_every_pair()
    {
        string other = Path.Combine(_dir.Path, "mnt", "other");

        var (code, _) = await DownloadAsync([RepoPaths.Iris, Dest, Path.Combine(RepoPaths.Iris, "model.onnx"), other]);

        Assert.Equal(0, code);
        Assert.True(File.Exists(Path.Combine(Dest, "model.onnx")));
        Assert.True(File.Exists(Path.Combine(other, "model.onnx")));
    }

    [Fact]
    public async Task Http_single_file_tar_gz_zip_and_redirect()
    {
        await using var server = await FileServer.StartAsync(new Dictionary<string, byte[]>
        {
            ["model.onnx"] = Iris,
            ["iris.tar.gz"] = TarGz(Entry.Folder("iris"), Entry.File("iris/model.onnx", Iris)),
            ["iris.zip"] = Zip(Entry.File("iris/1/model.onnx", Iris)),
        });
        string Url(string path) => new Uri(server.Address, path).ToString();

        var single = await DownloadAsync(["storage-initializer", Url("/files/model.onnx"), Path.Combine(_dir.Path, "single")]);
        var tar = await DownloadAsync(["storage-initializer", Url("/files/iris.tar.gz"), Path.Combine(_dir.Path, "tar")]);
        var zip = await DownloadAsync(["storage-initializer", Url("/files/iris.zip"), Path.Combine(_dir.Path, "zip")]);
        var redirected = await DownloadAsync(["storage-initializer", Url("/redirect/model.onnx"), Path.Combine(_dir.Path, "redirected")]);

        Assert.Equal((0, 0, 0, 0), (single.Code, tar.Code, zip.Code, redirected.Code));
        Assert.Equal(Iris, File.ReadAllBytes(Path.Combine(_dir.Path, "single", "model.onnx")));
        Assert.Equal(["iris/model.onnx"], ModelDir.Files(Path.Combine(_dir.Path, "tar")));
        Assert.Equal(["iris/1/model.onnx"], ModelDir.Files(Path.Combine(_dir.Path, "zip")));
        Assert.Equal(Iris, File.ReadAllBytes(Path.Combine(_dir.Path, "redirected", "model.onnx")));
        await AssertServesIrisAsync(Path.Combine(_dir.Path, "tar"));
    }

    [Fact]
    public async Task Http_headers_come_from_the_hosts_headers_variable()
    {
        await using var server = await FileServer.StartAsync(new Dictionary<string, byte[]> { ["model.onnx"] = Iris });
        string url = new Uri(server.Address, "/private/model.onnx").ToString();
        var headers = new Dictionary<string, string> { ["127.0.0.1-headers"] = $$"""{"X-Token": "{{FileServer.Token}}"}""" };

        var denied = await DownloadAsync(["storage-initializer", url, Path.Combine(_dir.Path, "denied")]);
        var allowed = await DownloadAsync(["storage-initializer", url, Dest], headers);

        Assert.Equal(1, denied.Code);
        Assert.Equal([$"storage-initializer: {url}: HTTP 403 Forbidden"], denied.Errors);
        Assert.Equal(0, allowed.Code);
        Assert.True(File.Exists(Path.Combine(Dest, "model.onnx")));
    }

    [Fact]
    public async Task Http_failures_exit_1_with_one_line_naming_the_uri_and_leave_nothing()
    {
        await using var server = await FileServer.StartAsync(new Dictionary<string, byte[]> { ["page.onnx"] = "<html>"u8.ToArray() });
        string Url(string path) => new Uri(server.Address, path).ToString();

        var missing = await DownloadAsync(["storage-initializer", Url("/files/nope.onnx"), Dest]);
        var html = await DownloadAsync(["storage-initializer", Url("/html/page.onnx"), Dest]);
        // (5 s, not 1: the bound covers the connect too, which a new process on a starved machine can take a second for.)
        var stalled = await DownloadAsync(["storage-initializer", "--stall-timeout-s", "5", Url("/stall/model.onnx"), Dest]);
        var tooLarge = await DownloadAsync(["storage-initializer", "--max-bytes", "100", Url("/files/page.onnx?x=1"), Dest, "--max-bytes", "5"]);

        AssertFailed(missing, 1, $"storage-initializer: {Url("/files/nope.onnx")}: HTTP 404 Not Found");
        AssertFailed(html, 1, $"storage-initializer: {Url("/html/page.onnx")}: answered with a web page (Content-Type text/html), not a model file");
        AssertFailed(stalled, 1, $"storage-initializer: {Url("/stall/model.onnx")}: no data arrived for 5 s while reading file 'model.onnx'");
        AssertFailed(tooLarge, 1, $"storage-initializer: {Url("/files/page.onnx")}?...: the download is 6 bytes, larger than the limit of 5 bytes (--max-bytes)");
        Assert.False(Directory.Exists(Dest));
        Assert.Equal(["mnt"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Path, "mnt")));
    }

    [Fact]
    public async Task Sigterm_in_the_middle_of_a_download_leaves_nothing()
    {
        await using var server = await FileServer.StartAsync(new Dictionary<string, byte[]>());
        string url = new Uri(server.Address, "/stall/model.onnx").ToString();
        await using var process = RuntimeProcess.StartRaw(["storage-initializer", url, Dest]);
        await server.Stalled.WaitAsync(TimeSpan.FromSeconds(30));

        process.Terminate();

        Assert.Equal(1, await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal([$"storage-initializer: {url}: interrupted; nothing was left in the destination"], process.ErrorLines);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_dir.Path, "mnt")));
    }

    [Fact]
    public async Task S3_prefix_keeps_paths_and_the_model_is_served()
    {
        string bucket = await _s3.BucketAsync(
            ("models/iris/model.onnx", Iris),
            ("models/iris/docs/README", "read me"u8.ToArray()),
            ("models/iris2/model.onnx", "another model"u8.ToArray()));

        var (code, errors) = await DownloadAsync(["storage-initializer", $"s3://{bucket}/models/iris", Dest], S3Environment());

        Assert.Equal(0, code);
        Assert.Empty(errors);
        Assert.Equal(["docs/README", "model.onnx"], ModelDir.Files(Dest));
        await AssertServesIrisAsync(Dest);
    }

    [Fact]
    public async Task S3_exact_key_is_downloaded_under_its_base_name_with_kserve_controller_variables()
    {
        string bucket = await _s3.BucketAsync(("models/iris/iris-v1.onnx", Iris), ("models/iris/iris-v1.onnx.sha256", "x"u8.ToArray()));
        // What KServe's controller writes from a secret annotated serving.kserve.io/s3-endpoint and s3-usehttps: "0".
        var environment = S3Environment();
        environment["AWS_ENDPOINT_URL"] = "";
        environment["S3_ENDPOINT"] = new Uri(_s3.Endpoint).Authority;
        environment["S3_USE_HTTPS"] = "0";

        var (code, _) = await DownloadAsync(["storage-initializer", $"s3://{bucket}/models/iris/iris-v1.onnx", Dest], environment);

        Assert.Equal(0, code);
        Assert.Equal(["iris-v1.onnx"], ModelDir.Files(Dest));
    }

    [Fact]
    public async Task S3_single_archive_is_unpacked_and_anonymous_access_works()
    {
        string bucket = await _s3.BucketAsync(("iris.tar.gz", TarGz(Entry.File("model.onnx", Iris))));
        var environment = S3Environment();
        environment["AWS_ACCESS_KEY_ID"] = "";
        environment["awsAnonymousCredential"] = "true";

        var (code, _) = await DownloadAsync(["storage-initializer", $"s3://{bucket}/iris.tar.gz", Dest], environment);

        Assert.Equal(0, code);
        Assert.Equal(["model.onnx"], ModelDir.Files(Dest));
    }

    [Fact]
    public async Task S3_failures_name_the_uri_and_what_failed()
    {
        string bucket = await _s3.BucketAsync(("models/iris/model.onnx", Iris));
        var wrongKey = S3Environment();
        wrongKey["AWS_ACCESS_KEY_ID"] = "NOT-A-KNOWN-KEY";
        string where = new Uri(_s3.Endpoint).GetLeftPart(UriPartial.Authority);

        var missing = await DownloadAsync(["storage-initializer", $"s3://{bucket}/models/resnet", Dest], S3Environment());
        var noBucket = await DownloadAsync(["storage-initializer", "s3://no-such-bucket/models/iris", Dest], S3Environment());
        var denied = await DownloadAsync(["storage-initializer", $"s3://{bucket}/models/iris", Dest], wrongKey);
        var closed = S3Environment();
        closed["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1";
        var unreachable = await DownloadAsync(["storage-initializer", $"s3://{bucket}/models/iris", Dest], closed);

        AssertFailed(missing, 1, $"storage-initializer: s3://{bucket}/models/resnet: no object 'models/resnet' and no objects under 'models/resnet/' in bucket '{bucket}'");
        AssertFailed(noBucket, 1, $"storage-initializer: s3://no-such-bucket/models/iris: bucket 'no-such-bucket' does not exist at {where}");
        Assert.Equal(1, denied.Code);
        Assert.Equal(
            $"storage-initializer: s3://{bucket}/models/iris: access denied by {where} (InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.)",
            Assert.Single(denied.Errors));
        AssertFailed(unreachable, 1, $"storage-initializer: s3://{bucket}/models/iris: cannot reach http://127.0.0.1:1: Connection refused (127.0.0.1:1)");
        Assert.False(Directory.Exists(Dest));
    }

    [Fact]
    public async Task Bad_uris_exit_2_and_the_line_goes_to_the_termination_log()
    {
        string log = Path.Combine(_dir.Path, "termination-log");

        var (code, errors) = await DownloadAsync(["storage-initializer", "--termination-log", log, "pvc://claim/models", Dest]);

        string line = "storage-initializer: pvc://claim/models: pvc:// is not downloaded: the controller mounts the claim at the model folder, so no storage initializer runs for it";
        AssertFailed((code, errors), 2, line);
        Assert.Equal(line + "\n", await File.ReadAllTextAsync(log));
    }

    public void Dispose() => _dir.Dispose();

    private Dictionary<string, string> S3Environment() => _s3.Environment();

    private static Task<(int Code, IReadOnlyList<string> Errors)> DownloadAsync(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        RuntimeProcess.RunAsync(environment ?? new Dictionary<string, string>(), args);

    private static async Task AssertServesIrisAsync(string modelDir)
    {
        await using var runtime = RuntimeProcess.Start("--model-dir", modelDir, "--model-name", "iris");
        using var client = await runtime.ReadyClientAsync();
        using var models = await client.GetAsync("/v2/models");
        string name = (string)JsonNode.Parse(await models.Content.ReadAsStringAsync())!["models"]![0]!;

        using var response = await client.PostAsync($"/v1/models/{name}:predict", JsonContent.Create(JsonNode.Parse(IrisRow)));

        Assert.Equal("""{"predictions":[1]}""", await response.Content.ReadAsStringAsync());
    }

    private static void AssertFailed((int Code, IReadOnlyList<string> Errors) result, int code, string line)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal([line], result.Errors);
    }
}
