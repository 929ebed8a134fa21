using Serving.Controller.Kubernetes.Hosting;
using Serving.Controller.Kubernetes.Objects;

namespace Serving.Controller.Kubernetes.Tests.Hosting;

/// <summary>The controller's options that ask KEDA for TLS to the scaler (<c>--scaler-tls</c>, <c>--scaler-trigger-authentication</c>).</summary>
public sealed class ControllerOptionsTests
{
    [Fact]
    public void By_default_KEDA_dials_the_scaler_in_plain_text_without_authentication()
    {
        var options = ControllerOptions.Parse([]);
        Assert.False(options.ScalerTls);
        Assert.Null(options.ScalerTriggerAuthentication);
    }

    [Theory]
    [InlineData("scaler-tls", "TriggerAuthentication", "scaler-tls")]
    [InlineData("TriggerAuthentication/scaler-tls", "TriggerAuthentication", "scaler-tls")]
    [InlineData("ClusterTriggerAuthentication/serving-scaler", "ClusterTriggerAuthentication", "serving-scaler")]
    public void The_trigger_authentication_is_a_name_with_an_optional_kind(string value, string kind, string name)
    {
        var options = ControllerOptions.Parse(["--scaler-tls", "true", "--scaler-trigger-authentication", value]);
        Assert.True(options.ScalerTls);
        Assert.Equal(new TriggerAuthenticationRef(kind, name), options.ScalerTriggerAuthentication);
    }

    [Theory]
    [InlineData("--scaler-tls", "yes", "--scaler-tls must be true or false")]
    [InlineData("--scaler-trigger-authentication", "Secret/x", "--scaler-trigger-authentication must be NAME")]
    [InlineData("--scaler-trigger-authentication", "TriggerAuthentication/", "--scaler-trigger-authentication must be NAME")]
    [InlineData("--scaler-trigger-authentication", "a/b/c", "--scaler-trigger-authentication must be NAME")]
    public void Bad_values_are_refused_naming_the_option(string option, string value, string message)
    {
        var e = Assert.Throws<ControllerOptionsException>(() => ControllerOptions.Parse([option, value]));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }
}
