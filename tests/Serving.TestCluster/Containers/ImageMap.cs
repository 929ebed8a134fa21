using System.Text.Json;

namespace Serving.TestCluster.Containers;

/// <summary>
/// Images the node agent can "pull": each maps to an <see cref="ImageCommand"/>. An image matches a key equal to the
/// whole image (<c>ghcr.io/x/serving-runtime:1.2</c>), to the image without tag or digest, or to its last path
/// segment without tag or digest (<c>serving-runtime</c>).
/// </summary>
public sealed class ImageMap
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { ReadCommentHandling = JsonCommentHandling.Skip };
    private readonly Dictionary<string, ImageCommand> _images;

    public ImageMap(IReadOnlyDictionary<string, ImageCommand> images) =>
        _images = new Dictionary<string, ImageCommand>(images, StringComparer.Ordinal);

    public IEnumerable<string> Images => _images.Keys;

    /// <summary>Reads a JSON object of image → <see cref="ImageCommand"/> (camelCase properties).</summary>
    public static ImageMap Load(string path)
    {
        using var stream = File.OpenRead(path);
        var images = JsonSerializer.Deserialize<Dictionary<string, ImageCommand>>(stream, Json)
            ?? throw new InvalidDataException($"{path}: expected a JSON object of image names");
        return new ImageMap(images);
    }

    public ImageCommand? Resolve(string image)
    {
        string untagged = Untagged(image);
        string name = untagged[(untagged.LastIndexOf('/') + 1)..];
        return _images.GetValueOrDefault(image) ?? _images.GetValueOrDefault(untagged) ?? _images.GetValueOrDefault(name);
    }

    /// <summary><c>registry:5000/a/b:tag</c> → <c>registry:5000/a/b</c>; digests go too.</summary>
    private static string Untagged(string image)
    {
        int at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            image = image[..at];
        }

        int colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[..colon] : image;
    }
}
