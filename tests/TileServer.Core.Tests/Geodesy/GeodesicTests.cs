using TileServer.Core.Geodesy;

namespace TileServer.Core.Tests.Geodesy;

public sealed class GeodesicTests
{
    [Fact]
    public void DirectMatchesKarneyTable2()
    {
        // C. F. F. Karney, "Algorithms for geodesics", J. Geodesy 87 (2013), table 2: WGS 84, φ1 = 40°, α1 = 30°,
        // s12 = 10 000 km.
        var end = Geodesic.Direct(40, 0, 30, 10_000_000);

        Assert.Equal(41.79331020506, end.Lat, 1e-8);
        Assert.Equal(137.84490004377, end.Lon, 1e-8);
        Assert.Equal(149.09016931807, end.Azimuth, 1e-8);
    }

    [Fact]
    public void InverseMatchesKarneyTable3ShortLine()
    {
        var line = Geodesic.Inverse(-30.12345, 0, -30.12344, 0.00005);

        Assert.Equal(4.944208, line.DistanceMetres, 1e-6);
        Assert.Equal(77.043533, line.Azimuth1, 1e-6);
        Assert.Equal(77.043508, line.Azimuth2, 1e-6);
    }

    [Fact]
    public void InverseMatchesFlindersPeakToBuninyong()
    {
        // Geoscience Australia's worked example for Vincenty's formulae (GRS80, whose flattening differs from WGS 84's
        // by 1e-10 relative: far below the millimetre here).
        var line = Geodesic.Inverse(-(37 + (57 / 60.0) + (3.72030 / 3600)), 144 + (25 / 60.0) + (29.52440 / 3600), -(37 + (39 / 60.0) + (10.15610 / 3600)), 143 + (55 / 60.0) + (35.38390 / 3600));

        Assert.Equal(54_972.271, line.DistanceMetres, 1e-3);
        Assert.Equal(306 + (52 / 60.0) + (5.37 / 3600), line.Azimuth1, 1e-5);
        Assert.Equal(127 + (10 / 60.0) + (25.07 / 3600) + 180, line.Azimuth2, 1e-5);
    }

    [Theory]
    [InlineData(-13.532, -71.978, 0, 50_000)]
    [InlineData(-13.532, -71.978, 137, 250_000)]
    [InlineData(-3.5, -80.2, 271.5, 1_900_000)]
    [InlineData(60, 10, 45, 5_000_000)]
    public void DirectThenInverseGivesBackDistanceAndAzimuth(double lat, double lon, double azimuth, double distance)
    {
        var end = Geodesic.Direct(lat, lon, azimuth, distance);
        var line = Geodesic.Inverse(lat, lon, end.Lat, end.Lon);

        Assert.Equal(distance, line.DistanceMetres, 1e-4);
        Assert.Equal(azimuth, line.Azimuth1, 1e-8);
        Assert.Equal(end.Azimuth, line.Azimuth2, 1e-8);
    }

    [Fact]
    public void NearlyAntipodalInverseSaysItDoesNotConverge()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Geodesic.Inverse(0, 0, 0.5, 179.7));
    }

    [Theory]
    [InlineData(-75.1, -12.05)]
    [InlineData(-71.978, -13.532)]
    [InlineData(10, 70)]
    [InlineData(0, -89.9)]
    public void EqualAreaInverseRoundTrips(double lon, double lat)
    {
        Assert.Equal(lon, EqualAreaInverse.Lon(EqualAreaProjection.X(lon)), 1e-12);
        Assert.Equal(lat, EqualAreaInverse.Lat(EqualAreaProjection.Y(lat)), 1e-11);
    }
}
