namespace TileServer.Core.Geodesy;

/// <summary>
/// The inverse of <see cref="EqualAreaProjection"/>: longitude and latitude in degrees from projected metres, by
/// Newton's iteration on q(φ) (Snyder, "Map Projections: A Working Manual", USGS PP 1395, eq. 3-16).
/// </summary>
/// <remarks>
/// Converges to 1e-15 rad in 3 to 5 steps everywhere but within a few metres of the poles, where the series starts
/// from the spherical value and stops at the iteration limit with the best value found. Used to hand back geometries
/// built in the equal-area plane (intersections, cuts) in lon/lat.
/// Thread safety: stateless, safe from any thread.
/// </remarks>
public static class EqualAreaInverse
{
    private static readonly double E2 = EqualAreaProjection.Flattening * (2 - EqualAreaProjection.Flattening);
    private static readonly double E = Math.Sqrt(E2);
    private const double RadToDeg = 180 / Math.PI;

    /// <summary>Longitude in degrees for a projected x in metres.</summary>
    public static double Lon(double x) => x / EqualAreaProjection.SemiMajorAxis * RadToDeg;

    /// <summary>Latitude in degrees for a projected y in metres.</summary>
    public static double Lat(double y)
    {
        var q = 2 * y / EqualAreaProjection.SemiMajorAxis;
        var qPole = 1 - ((1 - E2) / (2 * E) * Math.Log((1 - E) / (1 + E)));
        if (Math.Abs(q) >= qPole)
        {
            return Math.Sign(q) * 90;
        }

        var phi = Math.Asin(q / 2);
        for (var i = 0; i < 10; i++)
        {
            var sin = Math.Sin(phi);
            var cos = Math.Cos(phi);
            var esin = E * sin;
            var oneMinus = 1 - (esin * esin);
            var step = oneMinus * oneMinus / (2 * cos)
                * ((q / (1 - E2)) - (sin / oneMinus) + (1 / (2 * E) * Math.Log((1 - esin) / (1 + esin))));
            phi += step;
            if (Math.Abs(step) < 1e-15)
            {
                break;
            }
        }

        return phi * RadToDeg;
    }
}
