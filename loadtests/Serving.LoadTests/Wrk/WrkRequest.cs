namespace Serving.LoadTests.Wrk;

/// <summary>
/// What wrk sends on every request through <c>post.lua</c>: a POST of one fixed body to <paramref name="Url"/>, with
/// optional extra headers (<c>Name: value</c>, e.g. a <c>Host</c> for a virtual host) given to wrk's <c>-H</c>.
/// </summary>
/// <param name="InferenceHeaderLength">Set for the V2 binary tensor extension (<c>Inference-Header-Content-Length</c>).</param>
internal sealed record WrkRequest(
    string Url, string BodyPath, string ContentType, int? InferenceHeaderLength = null, IReadOnlyList<string>? Headers = null);
