using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// Writes a tileset to one PMTiles v3 file (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md), laid out
/// as the spec recommends: the 127-byte <see cref="PmTilesHeader"/>, the root directory, the JSON metadata, the leaf
/// directories, the tile data.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Tiles are ordered by Hilbert TileID (<see cref="PmTilesTileId"/>) and their gzip bytes written in that
/// order (clustered = 1): each blob either follows the previous one or, when its bytes equal an earlier blob's
/// (exact comparison, hashed lookup), the entry points back to that blob. Consecutive TileIDs with the same blob
/// become one entry with a run length, so a block of identical ocean or land tiles costs one entry.</item>
/// <item>Directories: <see cref="PmTilesDirectory"/> (varints, delta-encoded TileIDs, gzip); leaves when the root
/// would not fit in the first 16,384 bytes, as in the reference writer.</item>
/// <item>Header: internal and tile compression gzip, tile type MVT, zoom range of the tiles present, bounds and center
/// from <see cref="TilesetInfo"/> as degrees × 10^7; metadata JSON with <c>name</c>, <c>description</c>,
/// <c>attribution</c>, <c>version</c>, <c>type</c> and TileJSON <c>vector_layers</c>.</item>
/// <item>Written to a temporary file beside the target and moved into place.</item>
/// </list>
/// Thread safety: stateless; concurrent exports to different paths are independent.
/// </remarks>
public static class PmTilesWriter
{
    /// <summary>Writes every tile of <paramref name="source"/> to <paramref name="path"/>, replacing any file there.</summary>
    /// <exception cref="InvalidOperationException">The source has no tiles, or lists a tile it then does not return.</exception>
    public static TileArchiveReport Write(ITileSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var target = Path.GetFullPath(path);
        var temporary = TemporaryFile.Beside(target);
        PmTilesHeader header;
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                header = Write(source, file);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            TemporaryFile.Delete(temporary);
            throw;
        }

        return new TileArchiveReport(target, (long)header.AddressedTiles, (long)header.TileEntries, (long)header.TileContents, new FileInfo(target).Length);
    }

    /// <summary>
    /// Writes the archive of every tile of <paramref name="source"/> to <paramref name="output"/> from its current
    /// position (its offsets are relative to where it starts): a whole file, or the tile section of a snapshot file.
    /// </summary>
    /// <returns>The archive's header (its counts, and the offsets of its parts from its start).</returns>
    /// <exception cref="InvalidOperationException">The source has no tiles, or lists a tile it then does not return.</exception>
    public static PmTilesHeader Write(ITileSource source, Stream output)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);
        TileArchive.CheckInfo(source.Info);
        var layout = Layout(source);
        var (root, leaves, _) = PmTilesDirectory.Build(layout.Entries, PmTilesHeader.MaxHeaderAndRootBytes - PmTilesHeader.Length);
        var metadata = TileCompression.Gzip(TilesetJson.Write(source.Info, withDescription: true));
        var header = Header(source.Info, layout, root.Length, metadata.Length, leaves.Length);
        var headerBytes = new byte[PmTilesHeader.Length];
        header.Write(headerBytes);
        output.Write(headerBytes);
        output.Write(root);
        output.Write(metadata);
        output.Write(leaves);
        foreach (var blob in layout.Blobs)
        {
            output.Write(blob.Span);
        }

        return header;
    }

    private sealed record TileLayout(List<PmTilesEntry> Entries, List<ReadOnlyMemory<byte>> Blobs, ulong DataLength, ulong AddressedTiles, int MinZoom, int MaxZoom);

    private static TileLayout Layout(ITileSource source)
    {
        var ordered = source.TileIds.Select(id => (TileId: PmTilesTileId.FromTile(id), Tile: id)).ToArray();
        Array.Sort(ordered, (a, b) => a.TileId.CompareTo(b.TileId));
        var entries = new List<PmTilesEntry>();
        var blobs = new List<ReadOnlyMemory<byte>>();
        var offsets = new TileContentSet<(ulong Offset, uint Length)>();
        ulong dataLength = 0;
        ulong addressed = 0;
        int minZoom = int.MaxValue, maxZoom = int.MinValue;
        foreach (var (tileId, id) in ordered)
        {
            if (entries.Count > 0 && entries[^1].TileId + entries[^1].RunLength > tileId)
            {
                throw new InvalidOperationException($"the tile source lists tile {id} twice");
            }

            var gzip = TileArchive.GetListedTile(source, id).Gzip;
            if (gzip.IsEmpty || (ulong)gzip.Length > uint.MaxValue)
            {
                throw new InvalidOperationException($"tile {id} is {gzip.Length} bytes: PMTiles entries hold 1 to 2^32 - 1 bytes");
            }

            var (offset, length) = offsets.GetOrAdd(gzip, blob =>
            {
                var at = (dataLength, (uint)blob.Length);
                blobs.Add(blob);
                dataLength += (uint)blob.Length;
                return at;
            }, out _);

            var last = entries.Count - 1;
            if (last >= 0 && entries[last].Offset == offset && entries[last].TileId + entries[last].RunLength == tileId && entries[last].RunLength < uint.MaxValue)
            {
                entries[last] = entries[last] with { RunLength = entries[last].RunLength + 1 };
            }
            else
            {
                entries.Add(new PmTilesEntry(tileId, offset, length, 1));
            }

            addressed++;
            minZoom = Math.Min(minZoom, id.Z);
            maxZoom = Math.Max(maxZoom, id.Z);
        }

        return addressed > 0
            ? new TileLayout(entries, blobs, dataLength, addressed, minZoom, maxZoom)
            : throw new InvalidOperationException("the tileset has no tiles, and PMTiles directories must not be empty");
    }

    private static PmTilesHeader Header(TilesetInfo info, TileLayout layout, int rootLength, int metadataLength, int leavesLength)
    {
        var rootOffset = (ulong)PmTilesHeader.Length;
        var metadataOffset = rootOffset + (ulong)rootLength;
        var leavesOffset = metadataOffset + (ulong)metadataLength;
        var dataOffset = leavesOffset + (ulong)leavesLength;
        return new PmTilesHeader
        {
            RootDirectoryOffset = rootOffset,
            RootDirectoryLength = (ulong)rootLength,
            JsonMetadataOffset = metadataOffset,
            JsonMetadataLength = (ulong)metadataLength,
            LeafDirectoriesOffset = leavesOffset,
            LeafDirectoriesLength = (ulong)leavesLength,
            TileDataOffset = dataOffset,
            TileDataLength = layout.DataLength,
            AddressedTiles = layout.AddressedTiles,
            TileEntries = (ulong)layout.Entries.Count,
            TileContents = (ulong)layout.Blobs.Count,
            Clustered = true,
            InternalCompression = PmTilesCompression.Gzip,
            TileCompression = PmTilesCompression.Gzip,
            TileType = PmTilesTileType.Mvt,
            MinZoom = checked((byte)layout.MinZoom),
            MaxZoom = checked((byte)layout.MaxZoom),
            MinLongitudeE7 = PmTilesHeader.ToE7(info.Bounds[0]),
            MinLatitudeE7 = PmTilesHeader.ToE7(info.Bounds[1]),
            MaxLongitudeE7 = PmTilesHeader.ToE7(info.Bounds[2]),
            MaxLatitudeE7 = PmTilesHeader.ToE7(info.Bounds[3]),
            CenterZoom = checked((byte)Math.Round(info.Center[2])),
            CenterLongitudeE7 = PmTilesHeader.ToE7(info.Center[0]),
            CenterLatitudeE7 = PmTilesHeader.ToE7(info.Center[1]),
        };
    }
}
