namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// The closed-form area of a longitude-latitude rectangle on the WGS 84 ellipsoid, written out here as an oracle
/// that shares no code with the project's projection: a² (1 − e²) / 2 · Δλ · (q(φ₂) − q(φ₁)), with q the authalic
/// latitude function q(φ) = sin φ / (1 − e² sin² φ) − 1/(2e) · ln((1 − e sin φ) / (1 + e sin φ)).
/// </summary>
internal static class EllipsoidalRectangle
{
    private const double A = 6_378_137.0;
    private const double F = 1 / 298.257223563;
    private static readonly double E2 = F * (2 - F);
    private static readonly double E = Math.Sqrt(E2);

    private static double Q(double latDegrees)
    {
        var s = Math.Sin(latDegrees * Math.PI / 180);
        return (s / (1 - (E2 * s * s))) - (1 / (2 * E) * Math.Log((1 - (E * s)) / (1 + (E * s))));
    }

    /// <summary>Area in km² of [minLon, maxLon] × [minLat, maxLat].</summary>
    public static double Km2(double minLon, double minLat, double maxLon, double maxLat) =>
        A * A * (1 - E2) / 2 * ((maxLon - minLon) * Math.PI / 180) * (Q(maxLat) - Q(minLat)) / 1e6;
}
