using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Model;

/// <summary>
/// The pole search against NTS <see cref="MaximumInscribedCircle"/> run to a hundredth of the tolerance (the oracle):
/// the point found lies inside and its distance to the boundary is within the tolerance of the oracle's radius.
/// </summary>
public class PoleOfInaccessibilityTests
{
    private static readonly WKTReader Reader = new();

    public static TheoryData<string, double> Shapes => new()
    {
        { "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0))", 0.1 },
        // An L: the pole sits in the corner square, not at the envelope's centre (which is outside).
        { "POLYGON ((0 0, 10 0, 10 3, 3 3, 3 10, 0 10, 0 0))", 0.1 },
        // A hole in the middle pushes the pole into the ring around it.
        { "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (3 3, 7 3, 7 7, 3 7, 3 3))", 0.1 },
        // Two parts: the pole is in the larger one, whichever part comes first.
        { "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 2, 0 0)), ((5 5, 11 5, 11 11, 5 11, 5 5)))", 0.05 },
        // Long and thin: the first grid has a hundred cells along it.
        { "POLYGON ((0 0, 100 0, 100 1, 0 1, 0 0))", 0.01 },
        // A comb: the centroid lies in a gap between the teeth.
        { "POLYGON ((0 0, 9 0, 9 9, 8 9, 8 2, 6 2, 6 9, 5 9, 5 2, 3 2, 3 9, 2 9, 2 2, 1 2, 1 9, 0 9, 0 0))", 0.05 },
        // Degrees, as label points use it: a small district-sized shape near Cusco.
        { "POLYGON ((-72.01 -13.55, -71.95 -13.56, -71.93 -13.51, -71.97 -13.49, -72.02 -13.52, -72.01 -13.55))", 0.0006 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_point_is_inside_and_as_far_from_the_boundary_as_the_largest_circle_less_the_tolerance(string wkt, double tolerance)
    {
        var shape = Reader.Read(wkt);
        var pole = PoleOfInaccessibility.Find(shape, tolerance);
        var radius = MaximumInscribedCircle.GetRadiusLine(shape, tolerance / 100).Length;
        var point = shape.Factory.CreatePoint(pole);
        Assert.True(shape.Contains(point), $"{pole} is not inside");
        var distance = shape.Boundary.Distance(point);
        Assert.InRange(distance, radius - tolerance - (tolerance / 100), radius + (tolerance / 100));
    }

    [Fact]
    public void Random_star_polygons_meet_the_tolerance()
    {
        var random = new Random(12);
        var factory = new GeometryFactory();
        for (var n = 0; n < 200; n++)
        {
            // A star-shaped ring around (cx, cy): radii drawn at increasing angles never cross each other.
            var vertices = random.Next(5, 80);
            var (cx, cy) = (random.NextDouble() * 100, random.NextDouble() * 100);
            var ring = new Coordinate[vertices + 1];
            for (var i = 0; i < vertices; i++)
            {
                var angle = 2 * Math.PI * i / vertices;
                var r = 1 + (random.NextDouble() * 9);
                ring[i] = new Coordinate(cx + (r * Math.Cos(angle)), cy + (r * Math.Sin(angle)));
            }

            ring[^1] = ring[0].Copy();
            var shape = factory.CreatePolygon(ring);
            Assert.True(shape.IsValid);
            var envelope = shape.EnvelopeInternal;
            var tolerance = Math.Max(envelope.Width, envelope.Height) / 100;
            var pole = PoleOfInaccessibility.Find(shape, tolerance);
            var radius = MaximumInscribedCircle.GetRadiusLine(shape, tolerance / 100).Length;
            var point = factory.CreatePoint(pole);
            Assert.True(shape.Contains(point), $"shape {n}: {pole} is not inside");
            Assert.InRange(shape.Boundary.Distance(point), radius - tolerance - (tolerance / 100), radius + (tolerance / 100));
        }
    }

    [Fact]
    public void A_shape_without_area_gets_its_centroid()
    {
        var flat = Reader.Read("POLYGON ((0 0, 10 0, 5 0, 0 0))");
        Assert.Equal(flat.Centroid.Coordinate, PoleOfInaccessibility.Find(flat, 0.1));
    }
}
