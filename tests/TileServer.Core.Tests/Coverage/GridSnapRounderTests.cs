using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;
using NetTopologySuite.Noding.Snapround;
using TileServer.Core.Coverage;

namespace TileServer.Core.Tests.Coverage;

/// <summary>
/// Snap rounding on a grid of one unit (scale 1) unless stated: inputs are small enough to work out by hand, and
/// random ones are checked against NTS <see cref="HotPixel"/>, the reference the rounder follows.
/// </summary>
public class GridSnapRounderTests
{
    private static CoordinateSequence Line(params (double X, double Y)[] points) =>
        new CoordinateArraySequence([.. points.Select(p => new Coordinate(p.X, p.Y))]);

    private static NodedLinework Node(double scale, params (CoordinateSequence Line, int Tag)[] lines)
    {
        var rounder = new GridSnapRounder(scale);
        foreach (var (line, tag) in lines)
        {
            rounder.Add(line, tag);
        }

        return rounder.Node();
    }

    /// <summary>Edges as "x1 y1 - x2 y2 : tags", ends and tags sorted, in grid units.</summary>
    private static string[] Edges(NodedLinework noded) =>
        [.. Enumerable.Range(0, noded.EdgeCount).Select(e =>
        {
            var ends = new[] { (noded.X[noded.EdgeA[e]], noded.Y[noded.EdgeA[e]]), (noded.X[noded.EdgeB[e]], noded.Y[noded.EdgeB[e]]) }
                .Order().ToArray();
            var tags = string.Join(",", noded.TagsOf(e).ToArray().Order());
            return $"{ends[0].Item1} {ends[0].Item2} - {ends[1].Item1} {ends[1].Item2} : {tags}";
        }).Order(StringComparer.Ordinal)];

    /// <summary>Every two edges meet at most at a shared end, and no edge touches the pixel of a node but its ends.</summary>
    private static void AssertFullyNoded(NodedLinework noded)
    {
        var intersector = new RobustLineIntersector();
        Coordinate At(int node) => new(noded.X[node], noded.Y[node]);
        for (var e = 0; e < noded.EdgeCount; e++)
        {
            Coordinate a = At(noded.EdgeA[e]), b = At(noded.EdgeB[e]);
            for (var f = e + 1; f < noded.EdgeCount; f++)
            {
                intersector.ComputeIntersection(a, b, At(noded.EdgeA[f]), At(noded.EdgeB[f]));
                var shared = new[] { noded.EdgeA[e], noded.EdgeB[e] }.Intersect([noded.EdgeA[f], noded.EdgeB[f]]).Count();
                Assert.True(!intersector.HasIntersection || (shared == 1 && intersector.IntersectionNum == 1),
                    $"edges {a}-{b} and {At(noded.EdgeA[f])}-{At(noded.EdgeB[f])} meet away from a shared end");
            }

            for (var node = 0; node < noded.X.Length; node++)
            {
                if (node != noded.EdgeA[e] && node != noded.EdgeB[e])
                {
                    Assert.False(new HotPixel(At(node), 1).Intersects(a, b), $"edge {a}-{b} passes through node {At(node)}");
                }
            }
        }
    }

    [Fact]
    public void Crossing_segments_are_noded_at_the_pixel_of_their_crossing_point()
    {
        // The lines cross at (5, 1.5), on the bottom edge of pixel (5, 2), which that pixel owns.
        var noded = Node(1, (Line((0, 0), (10, 3)), 0), (Line((0, 3), (10, 0)), 1));

        Assert.Equal(["0 0 - 5 2 : 0", "0 3 - 5 2 : 1", "5 2 - 10 0 : 1", "5 2 - 10 3 : 0"], Edges(noded));
        AssertFullyNoded(noded);
    }

    [Fact]
    public void A_vertex_on_another_segment_splits_it_at_a_T_junction()
    {
        var noded = Node(1, (Line((0, 0), (10, 4)), 0), (Line((5, 2), (5, 8)), 1));

        Assert.Equal(["0 0 - 5 2 : 0", "5 2 - 10 4 : 0", "5 2 - 5 8 : 1"], Edges(noded));
        AssertFullyNoded(noded);
    }

    [Fact]
    public void A_segment_passing_within_the_pixel_of_a_vertex_is_bent_through_it_and_a_farther_one_is_not()
    {
        // Grid of 0.1: the first segment passes (0.5, 0.15), inside the pixel of (0.5, 0.2), half a cell below its
        // centre; (0.6, 0.3) is 1.2 cells above the segment and stays off it.
        var noded = Node(10, (Line((0, 0), (1, 0.3)), 0), (Line((0.5, 0.2), (0.5, 1)), 1), (Line((0.6, 0.3), (0.6, 1)), 2));

        Assert.Equal(["0 0 - 5 2 : 0", "5 2 - 10 3 : 0", "5 2 - 5 10 : 1", "6 3 - 6 10 : 2"], Edges(noded));
        AssertFullyNoded(noded);
    }

    [Fact]
    public void Collinear_overlapping_segments_share_the_overlap_as_one_edge()
    {
        var noded = Node(1, (Line((0, 0), (10, 0)), 0), (Line((15, 0), (5, 0)), 1));

        Assert.Equal(["0 0 - 5 0 : 0", "10 0 - 15 0 : 1", "5 0 - 10 0 : 0,1"], Edges(noded));
        AssertFullyNoded(noded);
    }

    [Fact]
    public void Identical_segments_become_one_edge_with_every_tag_in_either_direction()
    {
        var noded = Node(1, (Line((0, 0), (10, 5)), 0), (Line((10, 5), (0, 0)), 1), (Line((0, 0), (10, 5)), 0));

        Assert.Equal(["0 0 - 10 5 : 0,0,1"], Edges(noded));
        Assert.Equal(2, noded.X.Length);
    }

    [Fact]
    public void Vertices_are_rounded_to_the_grid_and_zero_length_segments_dropped()
    {
        var noded = Node(1e7, (Line((-77.12345674, -12.5), (-77.12345666, -12.50000004), (-77.1, -12.5)), 3));

        Assert.Equal(["-771234567 -125000000 - -771000000 -125000000 : 3"], Edges(noded));
    }

    [Fact]
    public void Nothing_or_only_points_in_gives_no_edges()
    {
        Assert.Equal(0, Node(1).EdgeCount);
        Assert.Equal(0, Node(1, (Line((3, 4), (3.2, 4.1)), 0)).EdgeCount);
    }

    [Fact]
    public void Pixel_test_agrees_with_NTS_hot_pixels_on_random_segments()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            long ax = random.Next(-20, 20), ay = random.Next(-20, 20), bx = random.Next(-20, 20), by = random.Next(-20, 20);
            long hx = random.Next(-20, 20), hy = random.Next(-20, 20);
            if (hx < Math.Min(ax, bx) || hx > Math.Max(ax, bx) || hy < Math.Min(ay, by) || hy > Math.Max(ay, by))
            {
                // Outside the envelope a pixel cannot touch a segment between grid points; the rounder skips it.
                Assert.False(new HotPixel(new Coordinate(hx, hy), 1).Intersects(new Coordinate(ax, ay), new Coordinate(bx, by)));
                continue;
            }

            Assert.Equal(new HotPixel(new Coordinate(hx, hy), 1).Intersects(new Coordinate(ax, ay), new Coordinate(bx, by)),
                GridSnapRounder.PassesThrough(ax, ay, bx, by, hx, hy));
        }
    }

    [Fact]
    public void Pixel_test_is_exact_for_segments_too_long_for_64_bit_products()
    {
        // Longer than 2^29 cells, so the 128-bit path decides; the segment passes (1e9, 2.5), on the bottom edge of the
        // pixel of (1e9, 3), which owns that edge.
        long ax = 0, ay = 0, bx = 2_000_000_000, by = 5;
        Assert.True(GridSnapRounder.PassesThrough(ax, ay, bx, by, 1_000_000_000, 3));
        Assert.False(GridSnapRounder.PassesThrough(ax, ay, bx, by, 1_000_000_000, 4));
        Assert.True(GridSnapRounder.ProperCrossing(ax, ay, bx, by, 1_000_000_000, -10, 1_000_000_000, 10, out var px, out var py));
        Assert.Equal((1_000_000_000L, 3L), (px, py));
    }

    [Fact]
    public void Random_tangles_of_lines_come_out_fully_noded_with_every_tag_kept()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 20; trial++)
        {
            var lines = new List<(CoordinateSequence, int)>();
            for (var l = 0; l < 8; l++)
            {
                var points = Enumerable.Range(0, 4).Select(_ => (random.Next(0, 30) / 3.0, random.Next(0, 30) / 3.0)).ToArray();
                lines.Add((Line(points), l));
            }

            var noded = Node(1, [.. lines]);

            AssertFullyNoded(noded);
            var linesWithLength = Enumerable.Range(0, 8).Where(l =>
            {
                var line = lines[l].Item1;
                return Enumerable.Range(0, line.Count)
                    .Select(i => (Math.Floor(line.GetX(i) + 0.5), Math.Floor(line.GetY(i) + 0.5))).Distinct().Count() > 1;
            });
            Assert.Equal(linesWithLength, noded.Tags.Distinct().Order());
        }
    }
}
