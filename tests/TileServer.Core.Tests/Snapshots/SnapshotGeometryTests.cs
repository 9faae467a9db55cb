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

    [Theory]
    [InlineData("POLYGON ((-75 -10, -74 -10, -74 -9, -75 -9, -75 -10))", true)]
    [InlineData("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 4, 4 4, 4 2, 2 2), (6 6, 6 8, 8 8, 6 6))", true)]
    [InlineData("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 6, 5 5), (5.2 5.2, 5.2 5.4, 5.4 5.4, 5.2 5.2)))", true)]
    [InlineData("POLYGON EMPTY", false)]
    [InlineData("GEOMETRYCOLLECTION (POINT (1 2), LINESTRING (0 0, 1 1))", false)]
    public void A_flat_polygonal_encoding_can_be_decoded_later_and_then_reads_back_exactly(string wkt, bool deferrable)
    {
        var geometry = new WKTReader().Read(wkt);
        var bytes = Encoded(geometry);

        Assert.Equal(deferrable, SnapshotGeometry.CanDefer(bytes));
        Assert.True(geometry.EqualsExact(SnapshotGeometry.Read(bytes)));
    }

    /// <summary>
    /// Every way of changing one ordinate, cutting a ring short or a count of a flat encoding: whenever CanDefer accepts
    /// the bytes, Read (which builds NTS rings, whose constructor is the oracle) must succeed, so that a deferred decode
    /// never fails in a request; and where Read fails, CanDefer refuses.
    /// </summary>
    [Fact]
    public void CanDefer_accepts_exactly_what_Read_can_build()
    {
        var bytes = Encoded(new WKTReader().Read("MULTIPOLYGON (((0 0, 10 0, 10 10, 0 0)), ((20 20, 30 20, 30 30, 20 30, 20 20), (22 22, 22 24, 24 24, 22 22)))"));
        var variants = new List<byte[]>();
        for (var at = 0; at < bytes.Length; at++)
        {
            foreach (var change in (byte[])[0x01, 0x40, 0xFF])
            {
                var changed = bytes.ToArray();
                changed[at] ^= change;
                variants.Add(changed);
            }

            variants.Add(bytes[..at]);
        }

        var (deferred, refused) = (0, 0);
        foreach (var variant in variants)
        {
            bool? canDefer;
            try
            {
                canDefer = SnapshotGeometry.CanDefer(variant);
            }
            catch (InvalidDataException)
            {
                canDefer = null;
            }

            var readable = Readable(variant);
            if (canDefer == true)
            {
                deferred++;
                Assert.True(readable, $"CanDefer accepted bytes that Read refuses: {Convert.ToHexString(variant)}");
            }
            else if (!readable)
            {
                refused++;
                Assert.Null(canDefer);
            }
        }

        // Both sides of the rule were exercised: most changes of an ordinate still decode, cut or unclosed rings do not.
        Assert.InRange(deferred, 50, variants.Count);
        Assert.InRange(refused, 50, variants.Count);
    }

    [Fact]
    public void A_ring_whose_last_point_is_not_its_first_cannot_be_deferred()
    {
        var bytes = Encoded(new WKTReader().Read("POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))"));
        bytes[^1] ^= 0x01; // the last point's y

        var error = Assert.Throws<InvalidDataException>(() => SnapshotGeometry.CanDefer(bytes));

        Assert.Equal("a ring of 5 points that is not closed", error.Message);
        Assert.Throws<InvalidDataException>(() => SnapshotGeometry.Read(bytes));
    }

    private static bool Readable(byte[] bytes)
    {
        try
        {
            SnapshotGeometry.Read(bytes);
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>The encoding as the layers section holds it, without its length.</summary>
    private static byte[] Encoded(Geometry geometry)
    {
        var writer = new SnapshotSectionWriter();
        SnapshotGeometry.Write(writer, geometry);
        return writer.ToArray()[4..];
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
