using NetTopologySuite.Geometries;

namespace TileServer.Core.Geodesy;

/// <summary>Maps one coordinate in place: a projection, its inverse, an axis swap, a rounding.</summary>
public delegate void CoordinateMap(ref double x, ref double y);

/// <summary>
/// Copies a geometry with each axis mapped by its own function: the cylindrical projections the project uses (Web
/// Mercator for tiles, Lambert cylindrical equal-area for aggregation), their inverses, and plane-to-tile scalings.
/// </summary>
/// <remarks>Thread safety: stateless; each call works on its own copy.</remarks>
public static class ProjectedCopy
{
    /// <summary>A copy of <paramref name="geometry"/> with every coordinate (x, y) replaced by (<paramref name="x"/>(x), <paramref name="y"/>(y)).</summary>
    public static Geometry Of(Geometry geometry, Func<double, double> x, Func<double, double> y)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var copy = geometry.Copy();
        Apply(copy, (ref double cx, ref double cy) =>
        {
            cx = x(cx);
            cy = y(cy);
        });
        return copy;
    }

    /// <summary>A copy of <paramref name="geometry"/> with every coordinate mapped by <paramref name="map"/>.</summary>
    public static Geometry Of(Geometry geometry, CoordinateMap map)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var copy = geometry.Copy();
        Apply(copy, map);
        return copy;
    }

    /// <summary>Maps every coordinate of <paramref name="geometry"/> in place: the one coordinate loop of the project's
    /// transforms, a source CRS to WGS 84 at load included. An exception from <paramref name="map"/> ends the loop and
    /// propagates, with the coordinates before it mapped.</summary>
    public static void Apply(Geometry geometry, CoordinateMap map)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(map);
        geometry.Apply(new MapFilter(map));
        geometry.GeometryChanged();
    }

    private sealed class MapFilter(CoordinateMap map) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var x = seq.GetX(i);
                var y = seq.GetY(i);
                map(ref x, ref y);
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }
}
