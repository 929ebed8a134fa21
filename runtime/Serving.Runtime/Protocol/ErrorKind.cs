namespace Serving.Runtime.Protocol;

/// <summary>Expected failures of the inference path; mapped to a status in <see cref="ErrorStatus"/>.</summary>
public enum ErrorKind
{
    BadInput,
    ModelNotFound,
    ModelNotReady,
    ServerNotReady,
    PayloadTooLarge,
    NotImplemented,
    InferenceFailed,
}
