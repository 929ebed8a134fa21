namespace Serving.Runtime.Models;

/// <summary>Where one served model version lives on disk. <see cref="Version"/> is null for unversioned layouts.</summary>
public sealed record ModelLocation(string Name, string? Version, string Path);
