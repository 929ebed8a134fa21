using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Serving.Runtime.Storage;

internal enum ArchiveKind
{
    Tar,
    TarGz,
    Zip,
}

/// <summary>
/// Unpacks a downloaded <c>.tar</c>, <c>.tgz</c>/<c>.tar.gz</c> or <c>.zip</c> without trusting it: entries are written
/// only through <see cref="DownloadFolder"/> (no absolute path, no <c>..</c>, size and file limits on what is actually
/// written). No link is ever created on disk: a symbolic or hard link whose target stays inside the archive becomes a
/// copy of that file, and one that points outside is refused, as are devices and pipes.
/// </summary>
internal static class Archives
{
    private const string Entry = "archive entry";
    private const int MaxLinkHops = 40;
    private const int MaxLinkTargetBytes = 4096;

    public static ArchiveKind? KindOf(string fileName)
    {
        string name = fileName.ToLowerInvariant();
        return name.EndsWith(".tar.gz", StringComparison.Ordinal) || name.EndsWith(".tgz", StringComparison.Ordinal) ? ArchiveKind.TarGz
            : name.EndsWith(".tar", StringComparison.Ordinal) ? ArchiveKind.Tar
            : name.EndsWith(".zip", StringComparison.Ordinal) ? ArchiveKind.Zip
            : null;
    }

    public static async Task UnpackAsync(string archive, ArchiveKind kind, DownloadFolder into, CancellationToken cancellationToken)
    {
        var links = new Dictionary<string, Link>(StringComparer.Ordinal);
        try
        {
            if (kind == ArchiveKind.Zip)
            {
                await UnpackZipAsync(archive, into, links, cancellationToken);
            }
            else
            {
                await UnpackTarAsync(archive, kind == ArchiveKind.TarGz, into, links, cancellationToken);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            string format = kind switch { ArchiveKind.Zip => "zip", ArchiveKind.TarGz => "tar.gz", _ => "tar" };
            throw new StorageException(StorageFailure.Failed, $"archive '{Path.GetFileName(archive)}' is not a valid {format} file ({e.Message})", e);
        }

        foreach (var (name, link) in links)
        {
            string target = Resolve(name, links);
            string source = into.PathFor(target, Entry);
            if (Directory.Exists(source))
            {
                throw Unsafe($"archive entry '{name}' links to the folder '{link.Target}'; only links to files are unpacked");
            }

            if (!File.Exists(source))
            {
                throw Unsafe($"archive entry '{name}' links to '{link.Target}', which the archive does not contain");
            }

            await using var content = File.OpenRead(source);
            await into.WriteAsync(name, Entry, content, cancellationToken);
        }
    }

    private static async Task UnpackTarAsync(
        string archive, bool gzip, DownloadFolder into, Dictionary<string, Link> links, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(archive);
        await using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        await using var reader = new TarReader(stream);
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            string name = entry.Name;
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await into.WriteAsync(name, Entry, entry.DataStream ?? Stream.Null, cancellationToken);
                    break;
                case TarEntryType.Directory:
                    if (!IsRoot(name))
                    {
                        into.CreateFolder(name, Entry);
                    }

                    break;
                case TarEntryType.SymbolicLink:
                    links[RelativeName(into, name)] = new Link(entry.LinkName, FromRoot: false);
                    break;
                case TarEntryType.HardLink:
                    links[RelativeName(into, name)] = new Link(entry.LinkName, FromRoot: true);
                    break;
                case TarEntryType.GlobalExtendedAttributes:
                    break;
                default:
                    throw Unsafe($"archive entry '{name}' is a {entry.EntryType} entry; only files, folders and links are unpacked");
            }
        }
    }

    private static async Task UnpackZipAsync(string archive, DownloadFolder into, Dictionary<string, Link> links, CancellationToken cancellationToken)
    {
        using var zip = ZipFile.OpenRead(archive);
        // What the central directory claims; the bytes actually written are counted again as they are.
        into.CheckPlanned(zip.Entries.Count, zip.Entries.Sum(e => e.Length));
        foreach (var entry in zip.Entries)
        {
            // Zips made on Windows may separate with '\'.
            string name = entry.FullName.Replace('\\', '/');
            if (name.EndsWith('/'))
            {
                if (!IsRoot(name))
                {
                    into.CreateFolder(name, Entry);
                }

                continue;
            }

            await using var data = entry.Open();
            // Unix zip tools store a link as an entry with mode S_IFLNK whose content is the target.
            if (((entry.ExternalAttributes >> 16) & 0xF000) == 0xA000)
            {
                links[RelativeName(into, name)] = new Link(await ReadLinkTargetAsync(data, name, cancellationToken), FromRoot: false);
                continue;
            }

            await into.WriteAsync(name, Entry, data, cancellationToken);
        }
    }

    private static async Task<string> ReadLinkTargetAsync(Stream data, string name, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxLinkTargetBytes + 1];
        int total = 0;
        int read;
        while (total < buffer.Length && (read = await data.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }

        return total <= MaxLinkTargetBytes
            ? Encoding.UTF8.GetString(buffer, 0, total)
            : throw Unsafe($"archive entry '{name}' is a link whose target is longer than {MaxLinkTargetBytes} bytes");
    }

    /// <summary>Follows a link, and links to links, to the archive path of a non-link entry; lexically, since no link exists on disk.</summary>
    private static string Resolve(string name, Dictionary<string, Link> links)
    {
        string current = name;
        for (int hop = 0; hop < MaxLinkHops; hop++)
        {
            var link = links[current];
            int slash = current.LastIndexOf('/');
            string? next = link.Target.StartsWith('/') ? null : Combine(link.FromRoot || slash < 0 ? "" : current[..slash], link.Target);
            if (next is null or "")
            {
                throw Unsafe($"archive entry '{name}' links outside the destination ('{link.Target}')");
            }

            if (!links.ContainsKey(next))
            {
                return next;
            }

            current = next;
        }

        throw Unsafe($"archive entry '{name}' is a chain of more than {MaxLinkHops} links");
    }

    /// <summary><paramref name="target"/> taken from <paramref name="folder"/>, '.' and '..' applied; null when it climbs above the root.</summary>
    private static string? Combine(string folder, string target)
    {
        var parts = new List<string>(folder.Split('/', StringSplitOptions.RemoveEmptyEntries));
        foreach (string part in target.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
            }
            else if (part != ".")
            {
                parts.Add(part);
            }
        }

        return string.Join('/', parts);
    }

    private static string RelativeName(DownloadFolder into, string name) => into.PathFor(name, Entry)[(into.Root.Length + 1)..];

    private static bool IsRoot(string name) => name.Split('/').All(p => p is "" or ".");

    private static StorageException Unsafe(string message) => new(StorageFailure.UnsafePath, message);

    private readonly record struct Link(string Target, bool FromRoot);
}
