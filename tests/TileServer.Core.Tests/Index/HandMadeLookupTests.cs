using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

public class HandMadeLookupTests
{
    private static readonly GeometryFactory Factory = SmallLayers.Factory;

    /// <summary>The locator over the layer's topology, and over its raw ring segments (a layer without topology): both must answer alike.</summary>
    private static IEnumerable<DistrictLocator> Locators(params Geometry[] districts) =>
        [DistrictLocator.Build(CoverageTopology.FromCoverage(districts) ?? throw new ArgumentException("not a coverage")), DistrictLocator.Build(districts)];

    [Fact]
    public void A_hole_is_outside_and_its_ring_is_the_districts_border()
    {
        var shell = Factory.CreateLinearRing([new(0, 0), new(0, 10), new(10, 10), new(10, 0), new(0, 0)]);
        var hole = Factory.CreateLinearRing([new(4, 4), new(6, 4), new(6, 6), new(4, 6), new(4, 4)]);
        foreach (var locator in Locators(Factory.CreatePolygon(shell, [hole])))
        {
            Assert.Equal(new DistrictMatch(0, LookupMatch.Inside, 0), locator.LocateCovering(2, 2));
            Assert.Equal(DistrictMatch.NotFound, locator.LocateCovering(5, 5));
            Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(4, 5));
            Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(6, 6));
            Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(0, 0));
            Assert.Equal(DistrictMatch.NotFound, locator.LocateCovering(-1, 5));
        }
    }

    [Fact]
    public void Every_part_of_a_multipolygon_counts()
    {
        var parts = Factory.CreateMultiPolygon([SmallLayers.Box(0, 0, 1, 1), SmallLayers.Box(5, 5, 6, 6)]);
        foreach (var locator in Locators(parts, SmallLayers.Box(1, 0, 2, 1)))
        {
            Assert.Equal(0, locator.LocateCovering(0.5, 0.5).District);
            Assert.Equal(0, locator.LocateCovering(5.5, 5.5).District);
            Assert.Equal(1, locator.LocateCovering(1.5, 0.5).District);
            Assert.False(locator.LocateCovering(3, 3).Found);
        }
    }

    [Fact]
    public void Four_districts_meeting_at_a_vertex_give_it_to_exactly_one_and_agree_with_the_exact_predicate()
    {
        Geometry[] districts =
        [
            SmallLayers.Box(0, 0, 1, 1), SmallLayers.Box(1, 0, 2, 1), SmallLayers.Box(0, 1, 1, 2), SmallLayers.Box(1, 1, 2, 2),
        ];
        foreach (var locator in Locators(districts))
        {
            var oracle = new ExactOracle(districts);

            var centre = locator.LocateCovering(1, 1);
            Assert.Equal(LookupMatch.Boundary, centre.Match);

            // Half-open: the point goes to the district just above it and to its left, the upper-left box.
            Assert.Equal(2, centre.District);
            for (var x = 0.0; x <= 2; x += 0.25)
            {
                for (var y = 0.0; y <= 2; y += 0.25)
                {
                    Assert.Null(oracle.Disagreement(x, y, locator.LocateCovering(x, y)));
                }
            }
        }
    }

    [Fact]
    public void Shared_slanted_edge_and_a_vertex_shared_by_a_triangle_fan()
    {
        Geometry[] districts =
        [
            SmallLayers.Ring((0, 0), (3, 1), (1, 3)), SmallLayers.Ring((0, 0), (1, 3), (-2, 2)), SmallLayers.Ring((0, 0), (-2, 2), (-1, -2)), SmallLayers.Ring((0, 0), (-1, -2), (3, 1)),
        ];
        foreach (var locator in Locators(districts))
        {
            var oracle = new ExactOracle(districts);
            var random = new Random(7);
            for (var i = 0; i < 20_000; i++)
            {
                var x = -2.5 + (random.NextDouble() * 6);
                var y = -2.5 + (random.NextDouble() * 6);
                Assert.Null(oracle.Disagreement(x, y, locator.LocateCovering(x, y)));
            }

            foreach (var (x, y) in new[] { (0.0, 0.0), (3.0, 1.0), (1.0, 3.0), (-2.0, 2.0), (-1.0, -2.0), (0.5, 1.5), (1.5, 0.5), (-1.0, 1.0) })
            {
                var answer = locator.LocateCovering(x, y);
                Assert.Equal(LookupMatch.Boundary, answer.Match);
                Assert.Null(oracle.Disagreement(x, y, answer));
            }
        }
    }

    [Fact]
    public void Points_within_an_ulp_of_an_edge_far_longer_than_the_cells_agree_with_the_exact_predicate()
    {
        // Leaves store edges in 16-bit fixed point over about 8 leaf sides; the slanted border crosses some 60 top
        // cells, so its endpoints are out of that range (kept in doubles), and points within an ulp of it are beyond
        // any fixed-point filter: both fall back to the exact orientation. The boxes only make the cells small.
        Geometry[] districts =
        [
            SmallLayers.Ring((0, 0), (30, 0), (30, 19.7), (0, 10.1)),
            SmallLayers.Ring((0, 10.1), (30, 19.7), (30, 30), (0, 30)),
            .. Enumerable.Range(0, 400).Select(i => SmallLayers.Box(40 + (i % 20), i / 20, 41 + (i % 20), 1 + (i / 20))),
        ];
        foreach (var locator in Locators(districts))
        {
            var oracle = new ExactOracle(districts);
            var disagreements = new List<string>();
            var boundary = 0;
            for (var i = 0; i <= 2000; i++)
            {
                var x = 30.0 * i / 2000;
                var y = 10.1 + (9.6 * i / 2000);
                foreach (var (px, py) in new[] { (x, y), (x, Math.BitIncrement(y)), (x, Math.BitDecrement(y)), (Math.BitIncrement(x), y) })
                {
                    var answer = locator.LocateCovering(px, py);
                    boundary += answer.Match == LookupMatch.Boundary ? 1 : 0;
                    Collect(oracle.Disagreement(px, py, answer));
                }
            }

            var random = new Random(5);
            for (var i = 0; i < 20_000; i++)
            {
                var x = random.NextDouble() * 60;
                var y = random.NextDouble() * 30;
                Collect(oracle.Disagreement(x, y, locator.LocateCovering(x, y)));
            }

            void Collect(string? problem)
            {
                if (problem is not null)
                {
                    disagreements.Add(problem);
                }
            }

            Assert.Empty(disagreements.Take(10));
            Assert.True(boundary > 0, "no point along the slanted border landed exactly on it");
        }
    }

    [Fact]
    public void Outside_every_district_the_nearest_within_the_snap_distance_answers_with_its_geodesic_distance()
    {
        foreach (var locator in Locators(SmallLayers.Box(-77.01, -12.01, -77.0, -12.0)))
        {
            // 0.001 degrees of longitude east of the box at 12°S: about 108.9 m.
            var near = locator.Locate(-76.999, -12.005, 500);
            Assert.Equal(LookupMatch.Nearest, near.Match);
            Assert.Equal(0, near.District);
            Assert.InRange(near.DistanceMetres, 108.5, 109.2);
            Assert.False(locator.Locate(-76.999, -12.005, 100).Found);
            Assert.False(locator.Locate(-76.9, -12.005, 500).Found);
            Assert.False(locator.Locate(double.NaN, -12.005, 500).Found);
        }
    }

    [Fact]
    public void Exact_orientation_agrees_with_the_integer_evaluation_near_degenerate_points()
    {
        var random = new Random(3);
        for (var i = 0; i < 10_000; i++)
        {
            double ax = random.NextDouble() * 100, ay = random.NextDouble() * 100, bx = random.NextDouble() * 100, by = random.NextDouble() * 100;
            var t = random.NextDouble();
            var cx = ax + (t * (bx - ax));
            var cy = ay + (t * (by - ay));
            Assert.Equal(ExactOrientation.SignExact(ax, ay, bx, by, cx, cy), ExactOrientation.Sign(ax, ay, bx, by, cx, cy));
        }
    }
}
