namespace TileServer.Core.Storage;

/// <summary>
/// A PMTiles v3 directory entry: <see cref="RunLength"/> consecutive TileIDs from <see cref="TileId"/> share the blob
/// at <see cref="Offset"/> (relative to the tile data section); a run length of 0 points to a leaf directory instead
/// (offset relative to the leaf directories section).
/// </summary>
internal readonly record struct PmTilesEntry(ulong TileId, ulong Offset, uint Length, uint RunLength);

/// <summary>
/// PMTiles v3 directories (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md, section 4): the entry
/// count, then the TileIDs delta-encoded, the run lengths, the lengths, and the offsets (0 when an entry follows the
/// previous one's blob, else offset + 1), each column as unsigned LEB128 varints, the whole compressed with the
/// archive's internal compression (gzip here).
/// </summary>
/// <remarks>
/// Root and leaves follow the reference writer (protomaps/go-pmtiles <c>optimizeDirectories</c>): everything in the
/// root when there are fewer than 16,384 entries and the compressed root fits beside the header in 16,384 bytes;
/// otherwise a root of leaf pointers only, over leaves of max(4,096, entries / 3,500) entries, grown by 20% until the
/// root fits. Thread safety: pure functions.
/// </remarks>
internal static class PmTilesDirectory
{
    private const int MaxRootOnlyEntries = 16_384;
    private const int MinLeafEntries = 4_096;
    private const int MaxVarintBytes = 10;

    /// <summary>The compressed root directory and the concatenated compressed leaf directories (empty when none).</summary>
    public static (byte[] Root, byte[] Leaves, int LeafCount) Build(IReadOnlyList<PmTilesEntry> entries, int maxRootBytes)
    {
        if (entries.Count < MaxRootOnlyEntries)
        {
            var root = Serialize(entries);
            if (root.Length <= maxRootBytes)
            {
                return (root, [], 0);
            }
        }

        for (var leafSize = Math.Max(MinLeafEntries, entries.Count / 3_500.0); ; leafSize *= 1.2)
        {
            var (root, leaves, count) = BuildLeaves(entries, (int)leafSize);
            if (root.Length <= maxRootBytes)
            {
                return (root, leaves, count);
            }
        }
    }

    public static byte[] Serialize(IReadOnlyList<PmTilesEntry> entries)
    {
        var raw = new byte[(1 + (entries.Count * 4)) * MaxVarintBytes];
        var at = WriteVarint(raw, 0, (ulong)entries.Count);
        var lastId = 0UL;
        foreach (var entry in entries)
        {
            at = WriteVarint(raw, at, entry.TileId - lastId);
            lastId = entry.TileId;
        }

        foreach (var entry in entries)
        {
            at = WriteVarint(raw, at, entry.RunLength);
        }

        foreach (var entry in entries)
        {
            at = WriteVarint(raw, at, entry.Length);
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var follows = i > 0 && entries[i].Offset == entries[i - 1].Offset + entries[i - 1].Length;
            at = WriteVarint(raw, at, follows ? 0 : entries[i].Offset + 1);
        }

        return TileCompression.Gzip(raw.AsSpan(0, at));
    }

    /// <summary>Decodes an uncompressed directory.</summary>
    /// <exception cref="InvalidDataException">Truncated, or TileIDs not ascending.</exception>
    public static PmTilesEntry[] Deserialize(ReadOnlySpan<byte> bytes)
    {
        var at = 0;
        var count = ReadVarint(bytes, ref at);
        // Each entry takes at least 4 bytes, which bounds what a corrupt count can make us allocate.
        if (count > (ulong)bytes.Length / 4)
        {
            throw new InvalidDataException($"directory claims {count} entries in {bytes.Length} bytes");
        }

        var ids = new ulong[count];
        var runLengths = new uint[count];
        var lengths = new uint[count];
        var id = 0UL;
        for (var i = 0; i < ids.Length; i++)
        {
            var delta = ReadVarint(bytes, ref at);
            if (i > 0 && delta == 0)
            {
                throw new InvalidDataException("directory TileIDs are not strictly ascending");
            }

            id += delta;
            ids[i] = id;
        }

        for (var i = 0; i < ids.Length; i++)
        {
            runLengths[i] = checked((uint)ReadVarint(bytes, ref at));
        }

        for (var i = 0; i < ids.Length; i++)
        {
            lengths[i] = checked((uint)ReadVarint(bytes, ref at));
            if (lengths[i] == 0)
            {
                throw new InvalidDataException($"directory entry {i} has length 0");
            }
        }

        var entries = new PmTilesEntry[count];
        for (var i = 0; i < ids.Length; i++)
        {
            var value = ReadVarint(bytes, ref at);
            var offset = value == 0 && i > 0 ? entries[i - 1].Offset + entries[i - 1].Length
                : value > 0 ? value - 1
                : throw new InvalidDataException("the first directory entry has no offset");
            entries[i] = new PmTilesEntry(ids[i], offset, lengths[i], runLengths[i]);
        }

        return entries;
    }

    private static (byte[] Root, byte[] Leaves, int LeafCount) BuildLeaves(IReadOnlyList<PmTilesEntry> entries, int leafSize)
    {
        var rootEntries = new List<PmTilesEntry>();
        using var leaves = new MemoryStream();
        for (var start = 0; start < entries.Count; start += leafSize)
        {
            var leaf = Serialize([.. Slice(entries, start, Math.Min(leafSize, entries.Count - start))]);
            rootEntries.Add(new PmTilesEntry(entries[start].TileId, (ulong)leaves.Length, (uint)leaf.Length, 0));
            leaves.Write(leaf);
        }

        return (Serialize(rootEntries), leaves.ToArray(), rootEntries.Count);
    }

    private static IEnumerable<PmTilesEntry> Slice(IReadOnlyList<PmTilesEntry> entries, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            yield return entries[i];
        }
    }

    private static int WriteVarint(byte[] buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        var value = 0UL;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= bytes.Length)
            {
                throw new InvalidDataException("directory is truncated");
            }

            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("directory has a varint longer than 64 bits");
    }
}
