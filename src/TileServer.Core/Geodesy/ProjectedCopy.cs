using NetTopologySuite.Geometries;

namespace TileServer.Core.Geodesy;

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
        copy.Apply(new AxisFilter(x, y));
        copy.GeometryChanged();
        return copy;
    }

    private sealed class AxisFilter(Func<double, double> x, Func<double, double> y) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                seq.SetX(i, x(seq.GetX(i)));
                seq.SetY(i, y(seq.GetY(i)));
            }
        }
    }
}
