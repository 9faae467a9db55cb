namespace TileServer.Core.Tiles;

/// <summary>
/// Spherical Web Mercator (EPSG:3857) and the XYZ tile grid over it: metres from WGS 84 degrees and tile bounds.
/// Latitudes are clamped to ±85.0511287798° (the square world). Thread safety: stateless.
/// </summary>
public static class WebMercator
{
    public const double EarthRadius = 6378137.0;

    /// <summary>Half the world's width in metres (π R).</summary>
    public const double HalfWorld = Math.PI * EarthRadius;

    public const double MaxLatitude = 85.0511287798066;

    public static double X(double longitude) => longitude * HalfWorld / 180.0;

    public static double Y(double latitude)
    {
        var lat = Math.Clamp(latitude, -MaxLatitude, MaxLatitude);
        return EarthRadius * Math.Log(Math.Tan(Math.PI / 4 + lat * Math.PI / 360.0));
    }

    public static double Longitude(double x) => x * 180.0 / HalfWorld;

    public static double Latitude(double y) => (2 * Math.Atan(Math.Exp(y / EarthRadius)) - Math.PI / 2) * 180.0 / Math.PI;

    /// <summary>Width of one tile at <paramref name="zoom"/>, in metres.</summary>
    public static double TileSize(int zoom) => 2 * HalfWorld / (1L << zoom);

    /// <summary>West edge of tile column <paramref name="x"/>, in metres.</summary>
    public static double TileWest(int zoom, int x) => -HalfWorld + x * TileSize(zoom);

    /// <summary>North edge of tile row <paramref name="y"/> (XYZ: row 0 at the north), in metres.</summary>
    public static double TileNorth(int zoom, int y) => HalfWorld - y * TileSize(zoom);

    /// <summary>The tile holding a point given in degrees.</summary>
    public static TileId TileAt(double longitude, double latitude, int zoom)
    {
        var n = 1 << zoom;
        var size = TileSize(zoom);
        var x = (int)Math.Floor((X(longitude) + HalfWorld) / size);
        var y = (int)Math.Floor((HalfWorld - Y(latitude)) / size);
        return new TileId(zoom, Math.Clamp(x, 0, n - 1), Math.Clamp(y, 0, n - 1));
    }
}
