namespace TileServer.Core.Tiles;

/// <summary>
/// A feature's geometry type in a Mapbox Vector Tile (the <c>GeomType</c> enum of <c>vector_tile.proto</c>, MVT
/// specification 2.1, section 4.3.4): how a decoder reads the feature's geometry commands.
/// </summary>
public enum MvtGeometryType
{
    /// <summary>Not specified; decoders may ignore the feature.</summary>
    Unknown = 0,

    /// <summary>One or more points (MoveTo commands only).</summary>
    Point = 1,

    /// <summary>One or more line strings.</summary>
    LineString = 2,

    /// <summary>One or more polygons: exterior rings clockwise, interior rings counter-clockwise, in tile coordinates (y down).</summary>
    Polygon = 3,
}
