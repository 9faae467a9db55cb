using System.IO.Compression;
using System.Text;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

/// <summary>
/// An in-memory tileset of made-up tile bytes (not real MVT: the archives store bytes, they do not decode them),
/// each gzip-compressed with <see cref="GZipStream"/>, with identical duplicates where a real tileset has them
/// (all-ocean or all-land tiles).
/// </summary>
public sealed class SyntheticTileSource : ITileSource
{
    private readonly Dictionary<TileId, EncodedTile> _tiles = [];

    private SyntheticTileSource(int maxZoom) =>
        Info = new TilesetInfo(
            "synthetic",
            "made-up tiles for storage tests",
            "© TileServer tests",
            "0123456789abcdef",
            0,
            maxZoom,
            [-81.33, -18.35, -68.65, -0.04],
            [-75.0, -9.5, 5],
            [
                new VectorLayerInfo("departments", "departments", 0, maxZoom, new Dictionary<string, string> { ["code"] = "String", ["name"] = "String", ["pobreza_pct"] = "Number" }),
                new VectorLayerInfo("districts", "districts", Math.Min(6, maxZoom), maxZoom, new Dictionary<string, string> { ["code"] = "String", ["idh"] = "Number" }),
            ]);

    public TilesetInfo Info { get; }

    public IEnumerable<TileId> TileIds => _tiles.Keys;

    public int DistinctContents => _tiles.Values.Select(t => Convert.ToBase64String(t.Gzip.Span)).Distinct().Count();

    public bool TryGetTile(TileId id, out EncodedTile tile) => _tiles.TryGetValue(id, out tile!);

    /// <summary>A tileset with no tiles at all.</summary>
    public static SyntheticTileSource Empty() => new(8);

    /// <summary>
    /// About 600 tiles, z0-z8: every tile at z0-z3; a region off-centre (south of the equator, so that TMS and XYZ
    /// rows differ) at z4-z8; a 16 x 16 block at z8 of one shared content (a Hilbert-contiguous run); and a shared
    /// "ocean" content scattered over z5-z7 (duplicates that are not consecutive).
    /// </summary>
    public static SyntheticTileSource Small()
    {
        var source = new SyntheticTileSource(8);
        var random = new Random(5);
        var ocean = source.Encode(Encoding.UTF8.GetBytes("ocean ocean ocean ocean"));
        var land = source.Encode(Encoding.UTF8.GetBytes(new string('L', 900)));
        for (var z = 0; z <= 8; z++)
        {
            var n = 1 << z;
            var (x0, x1, y0, y1) = z <= 3 ? (0, n, 0, n) : (n * 26 / 100, n * 31 / 100 + 1, n * 52 / 100, n * 57 / 100 + 1);
            for (var x = x0; x < x1; x++)
            {
                for (var y = y0; y < y1; y++)
                {
                    var id = new TileId(z, x, y);
                    source._tiles[id] = z is >= 5 and <= 7 && (x + (2 * y)) % 7 == 0 ? ocean : source.Encode(Content(id, random));
                }
            }
        }

        for (var x = 80; x < 96; x++)
        {
            for (var y = 144; y < 160; y++)
            {
                source._tiles[new TileId(8, x, y)] = land;
            }
        }

        return source;
    }

    /// <summary>Every tile at z0 to <paramref name="maxZoom"/> (21,845 up to z7), each distinct and tiny, plus every tenth one a shared duplicate.</summary>
    public static SyntheticTileSource Dense(int maxZoom)
    {
        var source = new SyntheticTileSource(maxZoom);
        var shared = source.Encode([1, 2, 3, 4]);
        for (var z = 0; z <= maxZoom; z++)
        {
            for (var x = 0; x < 1 << z; x++)
            {
                for (var y = 0; y < 1 << z; y++)
                {
                    var id = new TileId(z, x, y);
                    source._tiles[id] = (x + y) % 10 == 9 ? shared : source.Encode(Encoding.UTF8.GetBytes(id.ToString()));
                }
            }
        }

        return source;
    }

    /// <summary>About <paramref name="count"/> tiles of 200-3,000 bytes (z0 up, whole zooms, then part of the last), each distinct but for shared ocean tiles.</summary>
    public static SyntheticTileSource Sized(int count)
    {
        var source = new SyntheticTileSource(10);
        var random = new Random(7);
        var ocean = source.Encode(Encoding.UTF8.GetBytes("ocean ocean ocean ocean"));
        for (var z = 0; z <= 10 && source._tiles.Count < count; z++)
        {
            for (var x = 0; x < 1 << z && source._tiles.Count < count; x++)
            {
                for (var y = 0; y < 1 << z && source._tiles.Count < count; y++)
                {
                    var id = new TileId(z, x, y);
                    source._tiles[id] = (x * y) % 5 == 4 ? ocean : source.Encode(Content(id, random, 200 + random.Next(2800)));
                }
            }
        }

        return source;
    }

    private EncodedTile Encode(byte[] mvt)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(mvt);
        }

        return new EncodedTile(mvt, buffer.ToArray());
    }

    /// <summary>Compressible but distinct bytes: the address repeated, then random bytes.</summary>
    private static byte[] Content(TileId id, Random random, int length = 0)
    {
        length = length > 0 ? length : 20 + random.Next(1500);
        var text = Encoding.UTF8.GetBytes($"tile {id} ");
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = i < length * 3 / 4 ? text[i % text.Length] : (byte)random.Next(256);
        }

        return bytes;
    }
}
