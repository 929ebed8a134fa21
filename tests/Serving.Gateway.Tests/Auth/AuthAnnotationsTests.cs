using Serving.Controller.Api;
using Serving.Controller.Api.V1Beta1;
using Serving.Gateway.Auth;
using Serving.Gateway.Model;
using Serving.Gateway.Sources;

namespace Serving.Gateway.Tests.Auth;

/// <summary>Reading auth policies from annotations: what each asks for, and every way they can be wrong refused by name.</summary>
public sealed class AuthAnnotationsTests
{
    [Fact]
    public void No_annotations_or_mode_none_ask_for_nothing()
    {
        Assert.Null(AuthAnnotations.Read(null));
        Assert.Null(AuthAnnotations.Read(new Dictionary<string, string> { ["serving.kserve.io/deploymentMode"] = "Serverless" }));
        Assert.Null(AuthAnnotations.Read(new Dictionary<string, string> { [AuthAnnotations.Mode] = "none", [AuthAnnotations.ApiKeys] = "a" }));
    }

    [Fact]
    public void Api_key_policy_names_its_keys_and_forwards_nothing_by_default()
    {
        var policy = AuthAnnotations.Read(new Dictionary<string, string> { [AuthAnnotations.Mode] = "api-key", [AuthAnnotations.ApiKeys] = " team-a, ci ," })!;

        Assert.Equal(AuthMode.ApiKey, policy.Mode);
        Assert.Equal(["team-a", "ci"], policy.ApiKeys);
        Assert.False(policy.ForwardCredentials);
        Assert.Empty(AuthAnnotations.Read(new Dictionary<string, string> { [AuthAnnotations.Mode] = "api-key" })!.ApiKeys); // any key
    }

    [Fact]
    public void Jwt_policy_reads_issuer_audiences_jwks_claims_and_forwarding()
    {
        var policy = AuthAnnotations.Read(new Dictionary<string, string>
        {
            [AuthAnnotations.Mode] = "jwt",
            [AuthAnnotations.JwtIssuer] = "https://issuer.test",
            [AuthAnnotations.JwtAudiences] = "iris,models",
            [AuthAnnotations.Jwks] = "https://issuer.test/.well-known/jwks.json",
            [AuthAnnotations.JwtClaims] = "groups=ml-team, scope=predict",
            [AuthAnnotations.ForwardCredentials] = "true",
        })!;

        Assert.Equal(AuthMode.Jwt, policy.Mode);
        Assert.Equal("https://issuer.test", policy.Issuer);
        Assert.Equal(["iris", "models"], policy.Audiences);
        Assert.Equal("https://issuer.test/.well-known/jwks.json", policy.Jwks);
        Assert.Equal([new RequiredClaim("groups", "ml-team"), new RequiredClaim("scope", "predict")], policy.Claims);
        Assert.True(policy.ForwardCredentials);
    }

    [Theory]
    [InlineData("serving.kserve.io/auth=apikey", "serving.kserve.io/auth: unknown mode 'apikey' (api-key, jwt or none)")]
    [InlineData("serving.kserve.io/auth=api-key|serving.kserve.io/auth-api-key=ci", "unknown annotation serving.kserve.io/auth-api-key (known: ")]
    [InlineData("serving.kserve.io/auth-api-keys=ci", "serving.kserve.io/auth-api-keys is set but serving.kserve.io/auth is not: set serving.kserve.io/auth to api-key or jwt (or none)")]
    [InlineData("serving.kserve.io/auth=api-key|serving.kserve.io/auth-jwt-issuer=x", "serving.kserve.io/auth-jwt-issuer applies to serving.kserve.io/auth: jwt, not api-key")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-api-keys=ci", "serving.kserve.io/auth-api-keys applies to serving.kserve.io/auth: api-key, not jwt")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-jwt-audiences=a|serving.kserve.io/auth-jwks=/k.json", "serving.kserve.io/auth: jwt needs serving.kserve.io/auth-jwt-issuer (the issuer tokens must carry)")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-jwt-issuer=i|serving.kserve.io/auth-jwks=/k.json", "serving.kserve.io/auth: jwt needs serving.kserve.io/auth-jwt-audiences (the audiences a token may name)")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-jwt-issuer=i|serving.kserve.io/auth-jwt-audiences=a", "serving.kserve.io/auth: jwt needs serving.kserve.io/auth-jwks (the URL or file of the signing keys (JWKS))")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-jwt-issuer=i|serving.kserve.io/auth-jwt-audiences=a|serving.kserve.io/auth-jwks=ftp://h/k", "serving.kserve.io/auth-jwks: 'ftp://h/k' is neither an http(s) URL nor a file path")]
    [InlineData("serving.kserve.io/auth=jwt|serving.kserve.io/auth-jwt-issuer=i|serving.kserve.io/auth-jwt-audiences=a|serving.kserve.io/auth-jwks=/k|serving.kserve.io/auth-jwt-claims=admin", "serving.kserve.io/auth-jwt-claims: 'admin' is not claim=value")]
    [InlineData("serving.kserve.io/auth=api-key|serving.kserve.io/auth-forward-credentials=yes", "serving.kserve.io/auth-forward-credentials must be true or false, not 'yes'")]
    public void Annotations_that_cannot_be_followed_are_refused_by_name(string annotations, string message)
    {
        var error = Assert.Throws<AuthPolicyException>(() => AuthAnnotations.Read(Parse(annotations)));
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_route_of_an_InferenceService_carries_its_policy()
    {
        var route = ServiceRoutes.From(Service(new() { [AuthAnnotations.Mode] = "api-key", [AuthAnnotations.ApiKeys] = "ci" }), Offered);

        Assert.Null(route.Problem);
        Assert.Equal(["ci"], route.Auth!.ApiKeys);
        Assert.True(route.Components.ContainsKey(Component.Predictor));
        Assert.Null(ServiceRoutes.From(Service([]), Offered).Auth);
    }

    [Fact]
    public void An_InferenceService_whose_auth_annotations_cannot_be_followed_cannot_serve_and_says_why()
    {
        var route = ServiceRoutes.From(Service(new() { [AuthAnnotations.Mode] = "oauth" }), Offered);

        Assert.Equal(new ServiceProblem(ServiceRoutes.InvalidAuth, "serving.kserve.io/auth: unknown mode 'oauth' (api-key, jwt or none)"), route.Problem);
        Assert.Empty(route.Components); // nothing to route to: refused, never served open
        Assert.Null(route.Auth);
    }

    [Fact]
    public void A_routes_file_carries_the_same_policy_and_the_catalog_refuses_one_that_lacks_what_its_mode_needs()
    {
        var route = RoutesFileSource.Parse("""
            [{"namespace": "default", "name": "iris", "components": {}, "auth": {"mode": "apiKey", "apiKeys": ["team-a"]}}]
            """).Single();
        Assert.Equal(AuthMode.ApiKey, route.Auth!.Mode);
        Assert.Equal(["team-a"], route.Auth.ApiKeys);

        var jwt = RoutesFileSource.Parse("""[{"namespace": "default", "name": "iris", "components": {}, "auth": {"mode": "jwt", "audiences": ["a"]}}]""").Single();
        var error = Assert.Throws<ArgumentException>(() => Serving.Gateway.Routing.ServiceCatalog.Validate(jwt));
        Assert.Equal("InferenceService default/iris: serving.kserve.io/auth: jwt needs serving.kserve.io/auth-jwt-issuer (the issuer tokens must carry)", error.Message);
    }

    private static Dictionary<string, string> Parse(string annotations) =>
        annotations.Split('|').Select(a => a.Split('=', 2)).ToDictionary(a => a[0], a => a[1]);

    private static RevisionEndpoints? Offered(string revision) => revision == "iris-predictor-00001" ? new RevisionEndpoints(["http://127.0.0.1:9001"]) : null;

    private static InferenceService Service(Dictionary<string, string> annotations) => new()
    {
        Metadata = new ObjectMeta { Name = "iris", Namespace = "default", Annotations = annotations },
        Status = new InferenceServiceStatus
        {
            Components = new Dictionary<string, ComponentStatusSpec>
            {
                ["predictor"] = new()
                {
                    LatestCreatedRevision = "iris-predictor-00001",
                    LatestReadyRevision = "iris-predictor-00001",
                    Traffic = [new() { RevisionName = "iris-predictor-00001", Percent = 100, LatestRevision = true }],
                },
            },
        },
    };
}
