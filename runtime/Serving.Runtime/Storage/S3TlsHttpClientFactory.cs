using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Amazon.Runtime;

namespace Serving.Runtime.Storage;

/// <summary>The S3 client's HTTP client when <c>S3_VERIFY_SSL=0</c> or <c>AWS_CA_BUNDLE</c> changes how the endpoint's certificate is checked.</summary>
internal sealed class S3TlsHttpClientFactory(bool verify, string? caBundle) : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = clientConfig.ConnectTimeout ?? TimeSpan.FromSeconds(60) };
        if (!verify)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }
        else if (caBundle is not null)
        {
            var roots = LoadBundle(caBundle);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return new HttpClient(handler) { Timeout = clientConfig.Timeout ?? TimeSpan.FromSeconds(100) };
    }

    private static X509Certificate2Collection LoadBundle(string path)
    {
        var roots = new X509Certificate2Collection();
        try
        {
            roots.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new StorageException(StorageFailure.BadConfiguration, $"AWS_CA_BUNDLE '{path}' cannot be read as PEM certificates ({e.Message})", e);
        }

        return roots;
    }
}
