namespace Serving.Controller.Storage;

/// <summary>A Secret that the predictor's ServiceAccount links, as far as storage credentials need it (a <c>V1Secret</c> maps onto it).</summary>
public sealed record StorageSecret(
    string Name, IReadOnlyDictionary<string, string>? Annotations = null, IReadOnlyDictionary<string, byte[]>? Data = null);
