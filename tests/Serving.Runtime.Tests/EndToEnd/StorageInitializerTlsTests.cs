using Serving.Runtime.Tests.Infrastructure;

namespace Serving.Runtime.Tests.EndToEnd;

/// <summary>S3 over HTTPS with a certificate no system trusts: refused by default, accepted with KServe's S3_VERIFY_SSL=0 or AWS_CA_BUNDLE.</summary>
public sealed class StorageInitializerTlsTests(TlsS3rver s3) : IClassFixture<TlsS3rver>, IDisposable
{
    private readonly ModelDir _dir = new();

    [Fact]
    public async Task An_untrusted_certificate_is_refused_and_trusted_by_ca_bundle_or_not_checked()
    {
        string bucket = await s3.BucketAsync(("iris/model.onnx", "m"u8.ToArray()));
        string uri = $"s3://{bucket}/iris";

        var refused = await DownloadAsync(uri, "refused", []);
        var bundle = await DownloadAsync(uri, "bundle", [("AWS_CA_BUNDLE", s3.Certificate)]);
        var unchecked_ = await DownloadAsync(uri, "unchecked", [("S3_VERIFY_SSL", "0")]);

        Assert.Equal(1, refused.Code);
        string line = Assert.Single(refused.Errors);
        Assert.StartsWith($"storage-initializer: {uri}: cannot reach {s3.Endpoint}: The SSL connection could not be established: ", line);
        Assert.EndsWith(" (a private CA: AWS_CA_BUNDLE; no check: S3_VERIFY_SSL=0)", line);
        Assert.Equal((0, 0), (bundle.Code, unchecked_.Code));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "bundle", "model.onnx")));
        Assert.True(File.Exists(Path.Combine(_dir.Path, "unchecked", "model.onnx")));
    }

    public void Dispose() => _dir.Dispose();

    private Task<(int Code, IReadOnlyList<string> Errors)> DownloadAsync(string uri, string dest, (string Name, string Value)[] extra)
    {
        var environment = s3.Environment();
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return RuntimeProcess.RunAsync(environment, "storage-initializer", uri, Path.Combine(_dir.Path, dest));
    }
}
