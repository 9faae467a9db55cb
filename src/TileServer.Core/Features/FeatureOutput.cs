using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

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
        var decimals = crs.Decimals;
        var copy = ProjectedCopy.Of(geometry, (ref double x, ref double y) =>
        {
            mapper.Map(ref x, ref y);
            x = Math.Round(x, decimals);
            y = Math.Round(y, decimals);
        });
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
}
