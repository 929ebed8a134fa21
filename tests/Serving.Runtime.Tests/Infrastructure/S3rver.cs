using System.Diagnostics;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>
/// A real s3rver (npm) on a free loopback port, started with <c>scripts/s3rver.sh</c> (which installs it when missing;
/// <c>./test.sh</c> installs it up front). It knows one access key id, <see cref="AccessKey"/>.
/// </summary>
public sealed class S3rver : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "serving-tests", "s3rver-" + Guid.NewGuid().ToString("N")[..8]);

    public string Endpoint { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Endpoint = (await ScriptAsync("start", TimeSpan.FromMinutes(3))).Trim();
    }

    public async Task DisposeAsync()
    {
        await ScriptAsync("stop", TimeSpan.FromSeconds(30));
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A new bucket holding <paramref name="objects"/> (key, content).</summary>
    public async Task<string> BucketAsync(params (string Key, byte[] Content)[] objects)
    {
        string bucket = "b" + Guid.NewGuid().ToString("N")[..16];
        using var client = Client();
        await client.PutBucketAsync(bucket);
        foreach (var (key, content) in objects)
        {
            await client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = bucket,
                Key = key,
                InputStream = new MemoryStream(content),
                UseChunkEncoding = false,
            });
        }

        return bucket;
    }

    private AmazonS3Client Client() => new(new BasicAWSCredentials(AccessKey, AccessKey), new AmazonS3Config
    {
        ServiceURL = Endpoint,
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        // s3rver predates the SDK's default checksums.
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    private async Task<string> ScriptAsync(string verb, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { Path.Combine(RepoPaths.Root, "scripts", "s3rver.sh"), verb, _dir })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"scripts/s3rver.sh {verb} failed ({process.ExitCode}): {await errors}");
    }
}
