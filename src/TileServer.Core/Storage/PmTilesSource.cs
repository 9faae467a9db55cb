using System.Text.Json;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// A tileset read from a PMTiles v3 file (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md): the
/// <see cref="PmTilesHeader"/>, the root directory and every leaf directory it points to (recursively), the JSON
/// metadata (<c>vector_layers</c> and the descriptive keys) and the tile data. Directories and metadata may be
/// uncompressed, gzip or Brotli; tiles uncompressed, gzip or Brotli (zstd is refused with a clear error).
/// </summary>
/// <remarks>
/// The file is read whole at <see cref="Open"/> (so archives up to 2 GB), the directories flattened into sorted
/// TileID / run-length arrays, and each distinct blob decompressed once; the gzip bytes served are slices of the
/// file's bytes. A lookup computes the tile's Hilbert TileID and binary-searches the entries (run lengths included),
/// allocating nothing. No file handle stays open, so nothing needs disposing and the file can be replaced while
/// serving. Thread safety: immutable after <see cref="Open"/>; safe for any number of concurrent readers.
/// </remarks>
public sealed class PmTilesSource : ITileSource
{
    private const int MaxDirectoryDepth = 4;

    private readonly ulong[] _tileIds;
    private readonly uint[] _runLengths;
    private readonly EncodedTile[] _tiles;

    private PmTilesSource(PmTilesHeader header, TilesetInfo info, ulong[] tileIds, uint[] runLengths, EncodedTile[] tiles, int leafDirectories)
    {
        Header = header;
        Info = info;
        _tileIds = tileIds;
        _runLengths = runLengths;
        _tiles = tiles;
        LeafDirectories = leafDirectories;
    }

    public PmTilesHeader Header { get; }

    public TilesetInfo Info { get; }

    /// <summary>Leaf directories found under the root.</summary>
    public int LeafDirectories { get; }

    public IEnumerable<TileId> TileIds
    {
        get
        {
            for (var i = 0; i < _tileIds.Length; i++)
            {
                for (var run = 0U; run < _runLengths[i]; run++)
                {
                    yield return PmTilesTileId.ToTile(_tileIds[i] + run);
                }
            }
        }
    }

    public bool TryGetTile(TileId id, out EncodedTile tile)
    {
        if (id.IsValid)
        {
            var tileId = PmTilesTileId.FromTile(id);
            var index = Array.BinarySearch(_tileIds, tileId);
            if (index < 0)
            {
                index = ~index - 1;
            }

            if (index >= 0 && tileId - _tileIds[index] < _runLengths[index])
            {
                tile = _tiles[index];
                return true;
            }
        }

        tile = null!;
        return false;
    }

    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PMTiles v3 archive; the message says why.</exception>
    public static PmTilesSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such PMTiles file", file);
        }

        var bytes = File.ReadAllBytes(file);
        try
        {
            return Read(bytes, file);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
    }

    private static PmTilesSource Read(byte[] bytes, string file)
    {
        var header = PmTilesHeader.Read(bytes);
        var root = Slice(bytes, header.RootDirectoryOffset, header.RootDirectoryLength, "root directory");
        var leaves = Slice(bytes, header.LeafDirectoriesOffset, header.LeafDirectoriesLength, "leaf directories");
        var data = Slice(bytes, header.TileDataOffset, header.TileDataLength, "tile data");
        var metadata = Slice(bytes, header.JsonMetadataOffset, header.JsonMetadataLength, "JSON metadata");

        var entries = new List<PmTilesEntry>();
        var leafCount = 0;
        Collect(Decompress(root, header.InternalCompression, "root directory"), depth: 0);
        void Collect(ReadOnlyMemory<byte> directory, int depth)
        {
            foreach (var entry in PmTilesDirectory.Deserialize(directory.Span))
            {
                if (entry.RunLength > 0)
                {
                    if (entries.Count > 0 && entries[^1].TileId + entries[^1].RunLength > entry.TileId)
                    {
                        throw new InvalidDataException($"directory entries overlap or are out of order at TileID {entry.TileId}");
                    }

                    entries.Add(entry);
                }
                else if (depth >= MaxDirectoryDepth)
                {
                    throw new InvalidDataException($"leaf directories nest deeper than {MaxDirectoryDepth} levels");
                }
                else
                {
                    leafCount++;
                    var leaf = Slice(leaves, entry.Offset, entry.Length, "leaf directory");
                    Collect(Decompress(leaf, header.InternalCompression, "leaf directory"), depth + 1);
                }
            }
        }

        var blobs = new Dictionary<ulong, EncodedTile>();
        var tiles = new EncodedTile[entries.Count];
        for (var i = 0; i < tiles.Length; i++)
        {
            var entry = entries[i];
            if (!blobs.TryGetValue(entry.Offset, out var tile) || tile.Gzip.Length != entry.Length)
            {
                tile = Decode(Slice(data, entry.Offset, entry.Length, "tile"), header.TileCompression);
                blobs[entry.Offset] = tile;
            }

            tiles[i] = tile;
        }

        var info = ReadInfo(header, Decompress(metadata, header.InternalCompression, "JSON metadata"), file);
        return new PmTilesSource(header, info, [.. entries.Select(e => e.TileId)], [.. entries.Select(e => e.RunLength)], tiles, leafCount);
    }

    private static TilesetInfo ReadInfo(PmTilesHeader header, ReadOnlyMemory<byte> json, string file)
    {
        using var document = json.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(json);
        var root = document.RootElement;
        return new TilesetInfo(
            TilesetJson.String(root, "name") ?? Path.GetFileNameWithoutExtension(file),
            TilesetJson.String(root, "description") ?? "",
            TilesetJson.String(root, "attribution") ?? "",
            TilesetJson.String(root, "version") ?? "",
            header.MinZoom,
            header.MaxZoom,
            [
                PmTilesHeader.FromE7(header.MinLongitudeE7), PmTilesHeader.FromE7(header.MinLatitudeE7),
                PmTilesHeader.FromE7(header.MaxLongitudeE7), PmTilesHeader.FromE7(header.MaxLatitudeE7),
            ],
            [PmTilesHeader.FromE7(header.CenterLongitudeE7), PmTilesHeader.FromE7(header.CenterLatitudeE7), header.CenterZoom],
            TilesetJson.ReadVectorLayers(root, header.MinZoom, header.MaxZoom));
    }

    /// <summary>The tile's MVT bytes and gzip bytes, whatever the archive's tile compression.</summary>
    private static EncodedTile Decode(ReadOnlyMemory<byte> blob, PmTilesCompression compression)
    {
        switch (compression)
        {
            case PmTilesCompression.Gzip:
                return new EncodedTile(TileCompression.Gunzip(blob), blob);
            case PmTilesCompression.None:
                return new EncodedTile(blob, TileCompression.Gzip(blob.Span));
            case PmTilesCompression.Brotli:
                var mvt = TileCompression.Unbrotli(blob);
                return new EncodedTile(mvt, TileCompression.Gzip(mvt));
            default:
                throw new InvalidDataException($"tile compression {compression} is not supported (gzip, Brotli or none)");
        }
    }

    private static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> bytes, PmTilesCompression compression, string what) => compression switch
    {
        PmTilesCompression.None => bytes,
        PmTilesCompression.Gzip => TileCompression.Gunzip(bytes),
        PmTilesCompression.Brotli => TileCompression.Unbrotli(bytes),
        _ => throw new InvalidDataException($"{what}: internal compression {compression} is not supported (gzip, Brotli or none)"),
    };

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> bytes, ulong offset, ulong length, string what) =>
        offset <= (ulong)bytes.Length && length <= (ulong)bytes.Length - offset
            ? bytes.Slice((int)offset, (int)length)
            : throw new InvalidDataException($"{what} at offset {offset}, {length} bytes, lies beyond its section ({bytes.Length} bytes)");
}
