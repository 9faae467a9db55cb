using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using TileServer.Core.Aggregation;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// The allocation-free clippers the box and circle queries use instead of OverlayNG (<see cref="RectangleClip"/>,
/// <see cref="ConvexClip"/>, and the shoelace of <see cref="FlatRing"/>), held to OverlayNG's intersection area on
/// random star-shaped polygons (not convex, slanted edges everywhere), with holes and as MultiPolygons, against random
/// boxes and convex windows that hold them whole, cut them or miss them.
/// </summary>
public sealed class ClipKernelTests
{
    private static readonly GeometryFactory Factory = new();

    /// <summary>A star-shaped ring around (cx, cy) with radii in [r / 2, r], counter-clockwise or clockwise.</summary>
    private static Coordinate[] Star(Random random, double cx, double cy, double r, int points, bool clockwise)
    {
        var ring = new Coordinate[points + 1];
        for (var i = 0; i < points; i++)
        {
            var angle = (clockwise ? -1 : 1) * 2 * Math.PI * (i + (0.5 * random.NextDouble())) / points;
            var radius = r * (0.5 + (0.5 * random.NextDouble()));
            ring[i] = new Coordinate(cx + (radius * Math.Cos(angle)), cy + (radius * Math.Sin(angle)));
        }

        ring[points] = ring[0].Copy();
        return ring;
    }

    /// <summary>A star, a star of five or more points with a star-shaped hole well inside its edges, or a MultiPolygon
    /// of two stars apart; in either orientation, as read from files.</summary>
    private static Geometry Shape(Random random, int kind)
    {
        double cx = random.NextDouble() * 10, cy = random.NextDouble() * 10, r = 1 + (random.NextDouble() * 3);
        var shell = Factory.CreateLinearRing(Star(random, cx, cy, r, random.Next(kind == 1 ? 5 : 3, 40), random.Next(2) == 0));
        return kind switch
        {
            0 => Factory.CreatePolygon(shell),
            1 => Factory.CreatePolygon(shell, [Factory.CreateLinearRing(Star(random, cx, cy, r * 0.2, random.Next(3, 20), random.Next(2) == 0))]),
            _ => Factory.CreateMultiPolygon(
            [
                Factory.CreatePolygon(shell),
                Factory.CreatePolygon(Star(random, cx + (3 * r), cy, r, random.Next(3, 40), false)),
            ]),
        };
    }

    private static double OverlayArea(Geometry a, Geometry b) => OverlayNGRobust.Overlay(a, b, SpatialFunction.Intersection).Area;

    [Fact]
    public void A_rectangle_clip_has_the_area_of_the_overlay_intersection()
    {
        var random = new Random(31);
        var failures = new List<string>();
        var (whole, cut, missed) = (0, 0, 0);
        for (var i = 0; i < 1000; i++)
        {
            var shape = Shape(random, i % 3);
            var centre = shape.EnvelopeInternal.Centre;
            double x0 = centre.X - 7 + (random.NextDouble() * 8), y0 = centre.Y - 7 + (random.NextDouble() * 8);
            double x1 = x0 + 0.5 + (random.NextDouble() * 9), y1 = y0 + 0.5 + (random.NextDouble() * 9);
            var box = Factory.ToGeometry(new Envelope(x0, x1, y0, y1));

            var expected = OverlayArea(shape, box);
            var area = RectangleClip.Area(shape, x0, y0, x1, y1);

            (whole, cut, missed) = expected == 0 ? (whole, cut, missed + 1)
                : Math.Abs(expected - shape.Area) < 1e-9 ? (whole + 1, cut, missed) : (whole, cut + 1, missed);
            if (Math.Abs(area - expected) > 1e-9 * (1 + shape.Area))
            {
                failures.Add($"{shape} in [{x0}, {x1}] x [{y0}, {y1}]: {area}, overlay {expected}");
            }
        }

        Assert.Empty(failures.Take(5));
        Assert.True(whole > 20 && cut > 400 && missed > 20, $"whole {whole}, cut {cut}, missed {missed}");
    }

    [Fact]
    public void A_rectangle_clip_returns_its_rented_buffers_and_allocates_nothing()
    {
        // A ring of 200 points whose buffers come from the shared pool: a clip that kept them would make the next
        // call rent new ones.
        var shape = Shape(new Random(43), 1);
        var box = shape.EnvelopeInternal;
        var (midX, midY) = (box.Centre.X, box.Centre.Y);
        var area = 0.0;

        var bytes = Allocations.Measure(() => area += RectangleClip.Area(shape, box.MinX, box.MinY, midX, midY));

        Assert.Equal(0, bytes);
        Assert.True(area > 0);
    }

    [Fact]
    public void A_convex_window_clip_has_the_area_of_the_overlay_intersection()
    {
        var random = new Random(37);
        var failures = new List<string>();
        var (whole, cut, missed) = (0, 0, 0);
        for (var i = 0; i < 1000; i++)
        {
            var shape = Shape(random, i % 3);

            // A regular polygon of 3 to 64 vertices, counter-clockwise, turned at random.
            var n = random.Next(3, 65);
            var centre = shape.EnvelopeInternal.Centre;
            double cx = centre.X - 5 + (random.NextDouble() * 10), cy = centre.Y - 5 + (random.NextDouble() * 10), r = 0.5 + (random.NextDouble() * 6), turn = random.NextDouble();
            var ring = Enumerable.Range(0, n + 1)
                .Select(k => new Coordinate(cx + (r * Math.Cos(2 * Math.PI * ((k % n) + turn) / n)), cy + (r * Math.Sin(2 * Math.PI * ((k % n) + turn) / n))))
                .ToArray();
            var windowPolygon = Factory.CreatePolygon(ring);
            var window = ConvexClip.ConvexWindow(windowPolygon.ExteriorRing.CoordinateSequence);
            Assert.NotNull(window);
            Assert.Equal(2 * n, window.Length);

            var expected = OverlayArea(shape, windowPolygon);
            var area = ConvexClip.Area(shape, window, shape.EnvelopeInternal);

            (whole, cut, missed) = expected == 0 ? (whole, cut, missed + 1)
                : Math.Abs(expected - shape.Area) < 1e-9 ? (whole + 1, cut, missed) : (whole, cut + 1, missed);
            if (Math.Abs(area - expected) > 1e-9 * (1 + shape.Area))
            {
                failures.Add($"{shape} in {windowPolygon}: {area}, overlay {expected}");
            }
        }

        Assert.Empty(failures.Take(5));
        Assert.True(whole > 20 && cut > 400 && missed > 20, $"whole {whole}, cut {cut}, missed {missed}");
    }

    [Fact]
    public void Only_a_strictly_convex_counter_clockwise_ring_is_a_convex_window()
    {
        static double[]? Window(params (double X, double Y)[] points) =>
            ConvexClip.ConvexWindow(Factory.CreateLinearRing([.. points.Select(p => new Coordinate(p.X, p.Y)), new Coordinate(points[0].X, points[0].Y)]).CoordinateSequence);

        Assert.Equal(new double[] { 0, 0, 2, 0, 2, 1, 0, 1 }, Window((0, 0), (2, 0), (2, 1), (0, 1)));
        Assert.Equal(new double[] { 0, 0, 1, 0, 0, 1 }, Window((0, 0), (1, 0), (0, 1)));
        Assert.Null(Window((0, 0), (0, 1), (2, 1), (2, 0)));
        Assert.Null(Window((0, 0), (2, 0), (1, 0.5), (2, 1), (0, 1)));
        Assert.Null(Window((0, 0), (1, 0), (2, 0), (2, 1), (0, 1)));
        Assert.Null(Window((0, 0), (2, 0), (2, 1), (1, 3), (0, 1), (1, -1)));
    }

    [Fact]
    public void The_shoelace_of_a_flat_ring_is_its_signed_area_and_nothing_below_three_points()
    {
        var random = new Random(41);
        for (var i = 0; i < 200; i++)
        {
            var ring = Star(random, random.NextDouble() * 10, random.NextDouble() * 10, 2, random.Next(3, 30), random.Next(2) == 0);
            var flat = ring[..^1].SelectMany(c => new[] { c.X, c.Y }).Concat([99.0, 99.0]).ToArray();

            Assert.Equal(NetTopologySuite.Algorithm.Area.OfRingSigned(ring), -FlatRing.SignedArea(flat, ring.Length - 1), 1e-9);
        }

        Assert.Equal(0, FlatRing.SignedArea([0, 0, 4, 0, 4, 4], 2));
        Assert.Equal(8, FlatRing.SignedArea([0, 0, 4, 0, 4, 4], 3));
    }

    [Fact]
    public void A_convex_window_clip_returns_its_rented_buffers_and_allocates_nothing()
    {
        // A square district round a 128-gon: every edge of the window is active and the clipped ring outgrows the
        // buffers rented for the square's 5 points, so they are rented again mid-clip. A clip that kept any buffer
        // would make the next call rent a new one. The envelope is read once: NTS's Geometry.EnvelopeInternal returns
        // a new copy (48 bytes) on every read.
        var square = Factory.CreatePolygon([new(0, 0), new(10, 0), new(10, 10), new(0, 10), new(0, 0)]);
        var window = Enumerable.Range(0, 128).SelectMany(k => new[] { 5 + (3 * Math.Cos(2 * Math.PI * k / 128)), 5 + (3 * Math.Sin(2 * Math.PI * k / 128)) }).ToArray();
        var envelope = square.EnvelopeInternal;
        var area = 0.0;

        var bytes = Allocations.Measure(() => area += ConvexClip.Area(square, window, envelope));

        Assert.Equal(0, bytes);
        Assert.Equal(128 / 2.0 * 9 * Math.Sin(2 * Math.PI / 128), ConvexClip.Area(square, window, square.EnvelopeInternal), 1e-9);
    }

    /// <summary>A vertex exactly on a window edge is inside (kept), and an empty part of a MultiPolygon adds nothing:
    /// the triangle (0.5, 0.5), (3, 1), (1, 2) against the window (0, 0), (4, 0), (0, 4), whose edge x + y = 4 holds
    /// (3, 1), has its own area, 1.75.</summary>
    [Fact]
    public void A_vertex_on_a_window_edge_is_kept_and_an_empty_part_adds_nothing()
    {
        var triangle = Factory.CreatePolygon([new(0.5, 0.5), new(3, 1), new(1, 2), new(0.5, 0.5)]);
        var withEmptyPart = Factory.CreateMultiPolygon([triangle, Factory.CreatePolygon()]);
        double[] window = [0, 0, 4, 0, 0, 4];

        Assert.Equal(1.75, ConvexClip.Area(triangle, window, triangle.EnvelopeInternal));
        Assert.Equal(1.75, ConvexClip.Area(withEmptyPart, window, triangle.EnvelopeInternal));
    }
}
