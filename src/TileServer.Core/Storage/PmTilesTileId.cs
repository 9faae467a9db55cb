using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// The PMTiles v3 TileID (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md, section 4.1): tiles
/// numbered zoom by zoom (zoom z starts at (4^z - 1) / 3, the count of all tiles above it), and within a zoom along a
/// Hilbert curve over (x, y) in the XYZ scheme, so that neighbouring ids are neighbouring tiles. 0/0/0 is 0,
/// 1/0/0 is 1, 1/0/1 is 2, 1/1/1 is 3, 1/1/0 is 4. The curve is the classic iterative xy-to-d / d-to-xy mapping
/// (quadrant by quadrant from the most significant bit, rotating and flipping the lower bits), as in the reference
/// implementations (protomaps/PMTiles js/src/index.ts zxyToTileId, tileIdToZxy).
/// </summary>
/// <remarks>Thread safety: pure functions.</remarks>
internal static class PmTilesTileId
{
    /// <summary>Beyond zoom 31 the ids would not fit in 64 bits; the tile addresses stop at 30 anyway.</summary>
    public const int MaxZoom = 30;

    public static ulong FirstIdOfZoom(int z) => ((1UL << (2 * z)) - 1) / 3;

    public static ulong FromTile(TileId tile)
    {
        if (!tile.IsValid)
        {
            throw new ArgumentOutOfRangeException(nameof(tile), tile, "not a valid tile address");
        }

        ulong x = (uint)tile.X;
        ulong y = (uint)tile.Y;
        ulong d = 0;
        for (var s = tile.Z == 0 ? 0UL : 1UL << (tile.Z - 1); s > 0; s >>= 1)
        {
            var rx = (x & s) != 0 ? 1UL : 0UL;
            var ry = (y & s) != 0 ? 1UL : 0UL;
            d += s * s * ((3 * rx) ^ ry);
            x &= s - 1;
            y &= s - 1;
            (x, y) = Rotate(s, x, y, rx, ry);
        }

        return FirstIdOfZoom(tile.Z) + d;
    }

    public static TileId ToTile(ulong id)
    {
        var z = 0;
        while (z < MaxZoom && FirstIdOfZoom(z + 1) <= id)
        {
            z++;
        }

        var position = id - FirstIdOfZoom(z);
        if (position >= 1UL << (2 * z))
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"beyond zoom {MaxZoom}");
        }

        ulong x = 0;
        ulong y = 0;
        for (var s = 1UL; s < 1UL << z; s <<= 1)
        {
            var rx = 1 & (position >> 1);
            var ry = 1 & (position ^ rx);
            (x, y) = Rotate(s, x, y, rx, ry);
            x += s * rx;
            y += s * ry;
            position >>= 2;
        }

        return new TileId(z, (int)x, (int)y);
    }

    /// <summary>The Hilbert step: the lower-left quadrant is transposed, the lower-right one flipped and transposed.</summary>
    private static (ulong X, ulong Y) Rotate(ulong size, ulong x, ulong y, ulong rx, ulong ry)
    {
        if (ry != 0)
        {
            return (x, y);
        }

        return rx == 1 ? (size - 1 - y, size - 1 - x) : (y, x);
    }
}
