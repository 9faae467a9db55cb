using NetTopologySuite.Geometries;

namespace TileServer.Core.Sample;

/// <summary>
/// A local equirectangular frame in kilometres around the country's centre. The generator lays out shapes and measures
/// distances in it; a few hundred kilometres from the centre its scale error (well under 2%) does not matter for
/// synthetic data. Areas written to estimates use <see cref="Geodesy.EqualAreaProjection"/> instead.
/// </summary>
internal readonly record struct LocalFrame(double CentreLon, double CentreLat)
{
    private const double KmPerDegreeLat = 110.574;

    private double KmPerDegreeLon => 111.320 * Math.Cos(CentreLat * Math.PI / 180);

    public Coordinate ToLonLat(double xKm, double yKm) =>
        new(CentreLon + (xKm / KmPerDegreeLon), CentreLat + (yKm / KmPerDegreeLat));

    public double XKm(Coordinate lonLat) => (lonLat.X - CentreLon) * KmPerDegreeLon;

    public double YKm(Coordinate lonLat) => (lonLat.Y - CentreLat) * KmPerDegreeLat;
}
