using NetTopologySuite.Geometries;

namespace TileServer.Core.Features;

/// <summary>Geometry of features for file formats (CSV's WKT, GeoPackage, Shapefile): the requested CRS, x/y order.</summary>
/// <remarks>
/// File formats keep the x/y (lon/lat) order whatever the CRS's axis order says: GeoPackage requires it (its
/// geometry encoding is always x/y), and shapefile and WKT readers assume it. Thread safety: stateless.
/// </remarks>
public static class FeatureOutput
{
    /// <summary>A copy of <paramref name="geometry"/> (lon/lat) in <paramref name="crs"/>, x/y order, rounded to its decimals; polygons as multipolygons when <paramref name="multi"/>.</summary>
    /// <param name="mapper">From <see cref="Mapper"/>: made once per answer.</param>
    public static Geometry InCrs(Geometry geometry, FeatureCrs crs, CoordinateMapper mapper, bool multi)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(crs);
        var copy = geometry.Copy();
        copy.Apply(new RoundingFilter(mapper, crs.Decimals));
        copy.GeometryChanged();
        copy.SRID = crs.Srid;
        if (multi && copy is Polygon polygon)
        {
            copy = copy.Factory.CreateMultiPolygon([polygon]);
            copy.SRID = crs.Srid;
        }

        return copy;
    }

    /// <summary>The x/y transform from lon/lat into <paramref name="crs"/> (none for the geographic systems).</summary>
    public static CoordinateMapper Mapper(FeatureCrs crs)
    {
        ArgumentNullException.ThrowIfNull(crs);
        return crs.IsProjected ? crs.FromLonLat() : default;
    }

    private sealed class RoundingFilter(CoordinateMapper mapper, int decimals) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var x = seq.GetX(i);
                var y = seq.GetY(i);
                mapper.Map(ref x, ref y);
                seq.SetX(i, Math.Round(x, decimals));
                seq.SetY(i, Math.Round(y, decimals));
            }
        }
    }
}
