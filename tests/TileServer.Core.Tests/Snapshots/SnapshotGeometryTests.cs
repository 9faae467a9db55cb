using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using TileServer.Core.Snapshots;

namespace TileServer.Core.Tests.Snapshots;

/// <summary>The snapshot's geometry encoding, checked against NTS's own WKT reader and exact equality.</summary>
public sealed class SnapshotGeometryTests
{
    [Theory]
    [InlineData("POLYGON ((-75 -10, -74 -10, -74 -9, -75 -9, -75 -10))", 4326)]
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2), (6 6, 6 8, 8 8, 6 6))", 4326)]
    [InlineData("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5), (5.2 5.2, 5.2 5.4, 5.4 5.4, 5.2 5.2)))", 0)]
    [InlineData("MULTIPOLYGON (((-77.0281234567891 -12.0431234567891, -77.0181234567891 -12.0431234567891, -77.0231234567891 -12.0331234567891, -77.0281234567891 -12.0431234567891)))", 4326)]
    [InlineData("POLYGON EMPTY", 4326)]
    [InlineData("MULTIPOLYGON EMPTY", 4326)]
    [InlineData("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))", 4326)]
    [InlineData("POINT (-75.5 -10.25)", 32718)]
    public void Round_trip_gives_the_same_type_srid_and_coordinates(string wkt, int srid)
    {
        var geometry = new WKTReader().Read(wkt);
        geometry.SRID = srid;

        var read = RoundTrip(geometry);

        Assert.Equal(geometry.GeometryType, read.GeometryType);
        Assert.Equal(srid, read.SRID);
        Assert.True(geometry.EqualsExact(read), $"{wkt} came back as {read}");
        Assert.Equal(geometry.NumGeometries, read.NumGeometries);
    }

    [Fact]
    public void A_geometry_cut_short_or_with_an_unknown_kind_is_invalid_data_never_an_index_error()
    {
        var writer = new SnapshotSectionWriter();
        SnapshotGeometry.Write(writer, new WKTReader().Read("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 2 2))"));
        var bytes = writer.ToArray()[4..];

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Throws<InvalidDataException>(() => SnapshotGeometry.Read(bytes.AsSpan(0, length)));
        }

        var unknown = bytes.ToArray();
        unknown[4] = 42;
        Assert.Throws<InvalidDataException>(() => SnapshotGeometry.Read(unknown));
        var huge = bytes.ToArray();
        huge[9] = 0xFF; // the ring count of the polygon
        Assert.Throws<InvalidDataException>(() => SnapshotGeometry.Read(huge));
    }

    private static Geometry RoundTrip(Geometry geometry)
    {
        var writer = new SnapshotSectionWriter();
        SnapshotGeometry.Write(writer, geometry);
        var bytes = writer.ToArray();
        // The writer puts the encoding's length first, as the layers section holds it.
        Assert.Equal(bytes.Length - 4, BitConverter.ToInt32(bytes, 0));
        return SnapshotGeometry.Read(bytes.AsSpan(4));
    }
}
