using Serving.Runtime.Tensors;

namespace Serving.Runtime.Protocol.V2;

/// <summary>A parsed V2 inference request.</summary>
internal sealed record InferenceRequest(string? Id, IReadOnlyList<Tensor> Inputs, IReadOnlyList<RequestedOutput>? Outputs, bool BinaryOutput);

/// <summary>An entry of the request's <c>outputs</c>; <see cref="Binary"/> overrides the request-wide choice.</summary>
internal sealed record RequestedOutput(string Name, bool? Binary);
