using NetTopologySuite.Geometries;

namespace TileServer.Core.Geodesy;

/// <summary>
/// True areas on the WGS 84 ellipsoid, through Lambert's cylindrical equal-area projection of the ellipsoid
/// (Snyder, "Map Projections: A Working Manual", USGS PP 1395, eqs. 3-12 and 10-15): x = a·λ, y = a·q(φ)/2.
/// The projection preserves area exactly, so the planar area of a projected ring is the ellipsoidal area of the
/// region whose edges are straight in that projection (for the short edges of administrative boundaries the
/// difference from geodesic edges is far below the precision of the data).
/// </summary>
/// <remarks>
/// Written here rather than through ProjNET because it is one closed-form function of latitude evaluated on every
/// vertex of every query in the aggregation hot path; ProjNET's transform pipeline allocates per call.
/// Thread safety: stateless, safe from any thread.
/// </remarks>
public static class EqualAreaProjection
{
    /// <summary>WGS 84 semi-major axis, metres.</summary>
    public const double SemiMajorAxis = 6378137.0;

    /// <summary>WGS 84 flattening.</summary>
    public const double Flattening = 1 / 298.257223563;

    private static readonly double E2 = Flattening * (2 - Flattening);
    private static readonly double E = Math.Sqrt(E2);
    private const double DegToRad = Math.PI / 180;

    /// <summary>Projected x in metres for a longitude in degrees.</summary>
    public static double X(double lon) => SemiMajorAxis * lon * DegToRad;

    /// <summary>Projected y in metres for a latitude in degrees.</summary>
    public static double Y(double lat)
    {
        var sin = Math.Sin(lat * DegToRad);
        var esin = E * sin;
        var q = (1 - E2) * ((sin / (1 - (E2 * sin * sin))) - (1 / (2 * E) * Math.Log((1 - esin) / (1 + esin))));
        return SemiMajorAxis * q / 2;
    }

    /// <summary>Ellipsoidal area in square metres of a polygonal geometry given in WGS 84 lon/lat degrees.</summary>
    /// <remarks>Non-polygonal components count zero. Holes are subtracted.</remarks>
    public static double AreaSquareMetres(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        double area = 0;
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            if (geometry.GetGeometryN(i) is not Polygon polygon)
            {
                continue;
            }

            area += Math.Abs(RingArea(polygon.ExteriorRing.CoordinateSequence));
            for (var h = 0; h < polygon.NumInteriorRings; h++)
            {
                area -= Math.Abs(RingArea(polygon.GetInteriorRingN(h).CoordinateSequence));
            }
        }

        return area;
    }

    /// <summary>Ellipsoidal area in square kilometres; see <see cref="AreaSquareMetres"/>.</summary>
    public static double AreaSquareKilometres(Geometry geometry) => AreaSquareMetres(geometry) / 1e6;

    /// <summary>Signed planar (shoelace) area of a ring after projection, in square metres.</summary>
    public static double RingArea(CoordinateSequence ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        var n = ring.Count;
        if (n < 3)
        {
            return 0;
        }

        // Longitudes are offset by the first vertex so that the products stay small and cancellation is mild.
        var lon0 = ring.GetX(0);
        double sum = 0;
        var px = X(ring.GetX(0) - lon0);
        var py = Y(ring.GetY(0));
        for (var i = 1; i < n; i++)
        {
            var x = X(ring.GetX(i) - lon0);
            var y = Y(ring.GetY(i));
            sum += (px * y) - (x * py);
            px = x;
            py = y;
        }

        return sum / 2;
    }
}
