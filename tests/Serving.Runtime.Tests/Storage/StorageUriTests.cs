using Serving.Runtime.Storage;

namespace Serving.Runtime.Tests.Storage;

public sealed class StorageUriTests
{
    [Fact]
    public void S3_uris_split_into_bucket_and_key_or_prefix()
    {
        Assert.Equal(("models", "iris/model.onnx"), Bucket(StorageUri.Parse("s3://models/iris/model.onnx")));
        Assert.Equal(("models", "iris/"), Bucket(StorageUri.Parse("s3://models/iris/")));
        Assert.Equal(("models", ""), Bucket(StorageUri.Parse("s3://models")));

        static (string, string) Bucket(StorageUri uri) => uri is S3StorageUri s3 ? (s3.Bucket, s3.Key) : throw new InvalidOperationException();
    }

    [Fact]
    public void Http_uris_name_the_file_by_the_last_path_segment()
    {
        var uri = Assert.IsType<HttpStorageUri>(StorageUri.Parse("https://example.test/a/b/model%20v1.tar.gz?X-Amz-Signature=abc"));

        Assert.Equal("model v1.tar.gz", uri.FileName);
        Assert.Equal("https://example.test/a/b/model%20v1.tar.gz?...", uri.Display);
    }

    [Theory]
    [InlineData("file:///mnt/data/iris", "/mnt/data/iris")]
    [InlineData("/mnt/data/iris", "/mnt/data/iris")]
    [InlineData("FILE:///mnt/data/iris/", "/mnt/data/iris/")]
    public void File_uris_and_plain_paths_are_local(string text, string path)
    {
        Assert.Equal(path, Assert.IsType<LocalStorageUri>(StorageUri.Parse(text)).Path);
    }

    [Fact]
    public void A_relative_path_is_taken_from_the_current_folder()
    {
        Assert.Equal(Path.GetFullPath("models/iris"), Assert.IsType<LocalStorageUri>(StorageUri.Parse("models/iris")).Path);
    }

    [Theory]
    [InlineData("", "the storage URI is empty")]
    [InlineData("pvc://claim/models", "pvc:// is not downloaded: the controller mounts the claim at the model folder, so no storage initializer runs for it")]
    [InlineData("gs://bucket/model", "gs:// is not supported here; supported: file:// (or a local path), http://, https:// and s3://")]
    [InlineData("hdfs://namenode/model", "hdfs:// is not supported here; supported: file:// (or a local path), http://, https:// and s3://")]
    [InlineData("s3:///key", "names no valid bucket (s3://BUCKET/KEY)")]
    [InlineData("https://example.test/models/", "names no file: the path must end with a file name (https://host/path/model.onnx)")]
    [InlineData("https://example.test", "names no file: the path must end with a file name (https://host/path/model.onnx)")]
    [InlineData("file://", "names no path (file:///path/to/model)")]
    public void Unusable_uris_are_refused_with_what_is_wrong(string text, string message)
    {
        var e = Assert.Throws<StorageException>(() => StorageUri.Parse(text));

        Assert.Equal(StorageFailure.BadUri, e.Failure);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("https://user:secret@example.test/m.onnx", "https://example.test/m.onnx")]
    [InlineData("https://example.test/m.onnx?token=secret", "https://example.test/m.onnx?...")]
    [InlineData("s3://bucket/key@v1", "s3://bucket/key@v1")]
    [InlineData("/plain/path", "/plain/path")]
    public void Messages_show_uris_without_credentials(string text, string shown)
    {
        Assert.Equal(shown, StorageUri.Redact(text));
    }
}
