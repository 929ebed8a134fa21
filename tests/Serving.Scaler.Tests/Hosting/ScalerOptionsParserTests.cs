using Serving.Scaler.Hosting;

namespace Serving.Scaler.Tests.Hosting;

/// <summary>The command line: bad values are errors naming the option, before anything listens.</summary>
public sealed class ScalerOptionsParserTests
{
    [Fact]
    public void ReadsTheTlsAndListenerOptions()
    {
        var options = ScalerOptionsParser.Parse(["--address", "0.0.0.0", "--port=0", "--tls-cert", "s.crt", "--tls-key", "s.key", "--tls-client-ca", "ca.crt"]);
        Assert.Equal(("0.0.0.0", 0, "s.crt", "s.key", "ca.crt"), (options.Address, options.Port, options.TlsCertificate, options.TlsKey, options.TlsClientCa));
    }

    [Theory]
    [InlineData("--address nope", "--address must be an IP address (0.0.0.0 for every interface), not 'nope'")]
    [InlineData("--port 70000", "--port must be an integer from 0 to 65535, not '70000'")]
    [InlineData("--tls-cert s.crt", "--tls-cert and --tls-key go together")]
    [InlineData("--tls-key s.key", "--tls-cert and --tls-key go together")]
    [InlineData("--tls-client-ca ca.crt", "--tls-client-ca needs --tls-cert and --tls-key")]
    [InlineData("--max-staleness-s 0", "--max-staleness-s must be a number of seconds above 0, not '0'")]
    [InlineData("--tls", "option --tls needs a value")]
    public void BadOptionsAreErrorsNamingThem(string args, string message)
    {
        var e = Assert.Throws<ScalerOptionsException>(() => ScalerOptionsParser.Parse(args.Split(' ')));
        Assert.Equal(message, e.Message);
    }
}
