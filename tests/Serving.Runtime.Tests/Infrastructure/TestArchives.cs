using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Serving.Runtime.Tests.Infrastructure;

/// <summary>Builds .tar.gz and .zip files in memory, hostile entries included, for the storage initializer's tests.</summary>
internal static class TestArchives
{
    /// <summary>An entry: a file with content, a folder (name ending in '/'), or a link (<paramref name="LinkTo"/> set).</summary>
    public sealed record Entry(string Name, byte[]? Content = null, string? LinkTo = null, bool HardLink = false, TarEntryType? Type = null)
    {
        public static Entry File(string name, string content) => new(name, Encoding.UTF8.GetBytes(content));

        public static Entry File(string name, byte[] content) => new(name, content);

        public static Entry Folder(string name) => new(name.TrimEnd('/') + "/");

        public static Entry Symlink(string name, string target) => new(name, LinkTo: target);
    }

    public static byte[] TarGz(params Entry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var entry in entries)
            {
                var type = entry.Type ?? (entry.LinkTo is not null ? (entry.HardLink ? TarEntryType.HardLink : TarEntryType.SymbolicLink)
                    : entry.Name.EndsWith('/') ? TarEntryType.Directory : TarEntryType.RegularFile);
                var tar = new PaxTarEntry(type, entry.Name);
                if (entry.LinkTo is not null)
                {
                    tar.LinkName = entry.LinkTo;
                }

                if (type == TarEntryType.RegularFile)
                {
                    tar.DataStream = new MemoryStream(entry.Content ?? []);
                }

                writer.WriteEntry(tar);
            }
        }

        return buffer.ToArray();
    }

    public static byte[] Zip(params Entry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                var zipEntry = zip.CreateEntry(entry.Name, CompressionLevel.Fastest);
                if (entry.LinkTo is not null)
                {
                    // What Info-ZIP writes for a symbolic link: mode S_IFLNK|0777 in the high half, the target as content.
                    zipEntry.ExternalAttributes = unchecked((int)(0xA1FFu << 16));
                }

                if (!entry.Name.EndsWith('/'))
                {
                    using var stream = zipEntry.Open();
                    stream.Write(entry.LinkTo is not null ? Encoding.UTF8.GetBytes(entry.LinkTo) : entry.Content ?? []);
                }
            }
        }

        return buffer.ToArray();
    }
}
