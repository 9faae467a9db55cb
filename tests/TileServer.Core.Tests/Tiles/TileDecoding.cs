using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using TileServer.Core.Geodesy;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

/// <summary>Decodes tiles with NetTopologySuite.IO.VectorTiles.Mapbox's reader and maps them to tile units.</summary>
public static class TileDecoding
{
    private static readonly MapboxTileReader Reader = new();

    /// <summary>Layer name to features, geometry in WGS 84 degrees as the library returns it.</summary>
    public static Dictionary<string, IList<IFeature>> Decode(TileId id, ReadOnlyMemory<byte> mvt)
    {
        using var stream = new MemoryStream(mvt.ToArray());
        var tile = Reader.Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(id.X, id.Y, id.Z));
        return tile.Layers.ToDictionary(l => l.Name, l => l.Features);
    }

    public static IList<IFeature> Layer(this Dictionary<string, IList<IFeature>> tile, string name) =>
        tile.TryGetValue(name, out var features) ? features : [];

    /// <summary>
    /// A decoded geometry in the tile's own units (0..4096, y down), where one pixel of a 512-pixel tile is 8 units;
    /// <paramref name="round"/> undoes the reader's round trip through degrees, back to the integers in the tile.
    /// </summary>
    public static Geometry ToTileUnits(Geometry geometry, TileId id, int extent = 4096, bool round = false)
    {
        var west = WebMercator.TileWest(id.Z, id.X);
        var north = WebMercator.TileNorth(id.Z, id.Y);
        var scale = extent / WebMercator.TileSize(id.Z);
        return ProjectedCopy.Of(
            geometry,
            lon => Unit((WebMercator.X(lon) - west) * scale, round),
            lat => Unit((north - WebMercator.Y(lat)) * scale, round));
    }

    private static double Unit(double value, bool round) => round ? Math.Round(value) : value;
}
