using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

public class ChainSimplificationTests
{
    private const double Cell = 100;
    private const int Cells = 4;
    private static readonly GeometryFactory Factory = new();

    [Theory]
    [InlineData(0.5)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(30)]
    public void The_result_is_a_valid_coverage_without_gaps_or_overlaps(double tolerance)
    {
        var coverage = WigglyGrid();
        Assert.All(CoverageValidator.Validate(coverage, tolerance), g => Assert.Null(g));
        var simplified = Rank(coverage, 30).Simplify(tolerance);

        Assert.Equal(coverage.Length, simplified.Length);
        Assert.All(simplified, g => Assert.True(g.IsValid, $"invalid: {g}"));
        Assert.All(CoverageValidator.Validate(simplified, tolerance), g => Assert.Null(g));
        var union = CoverageUnion.Union(simplified);
        var sum = simplified.Sum(g => g.Area);
        Assert.Equal(union.Area, sum, 6);
        var original = CoverageUnion.Union(coverage);
        Assert.True(Math.Abs(union.Area - original.Area) <= original.Length * tolerance, $"area {union.Area} vs {original.Area}");
        Assert.Equal(1, union.NumGeometries);
        Assert.Equal(0, ((Polygon)union).NumInteriorRings);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(30)]
    public void Every_inner_edge_is_the_same_segment_on_both_sides(double tolerance)
    {
        var simplified = Rank(WigglyGrid(), 30).Simplify(tolerance);
        var outer = CoverageUnion.Union(simplified).Boundary;
        var segments = new Dictionary<(double, double, double, double), int>();
        foreach (var ring in simplified.SelectMany(Rings))
        {
            var c = ring.Coordinates;
            for (var i = 0; i + 1 < c.Length; i++)
            {
                var key = (c[i].X, c[i].Y, c[i + 1].X, c[i + 1].Y);
                segments[key] = segments.GetValueOrDefault(key) + 1;
            }
        }

        var inner = 0;
        foreach (var ((x0, y0, x1, y1), count) in segments)
        {
            Assert.Equal(1, count);
            var midpoint = Factory.CreatePoint(new Coordinate((x0 + x1) / 2, (y0 + y1) / 2));
            if (outer.Distance(midpoint) > 1e-9)
            {
                Assert.True(segments.ContainsKey((x1, y1, x0, y0)), $"segment {x0} {y0} {x1} {y1} has no twin");
                inner++;
            }
        }

        Assert.True(inner > 20, $"only {inner} inner segments");
    }

    [Fact]
    public void Vertex_counts_fall_as_the_tolerance_grows_and_stay_near_nts()
    {
        var coverage = WigglyGrid();
        var simplifier = Rank(coverage, 64);
        var previous = int.MaxValue;
        foreach (var tolerance in new[] { 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64 })
        {
            var count = simplifier.Simplify(tolerance).Sum(g => g.NumPoints);
            Assert.True(count <= previous, $"{count} vertices at {tolerance}, {previous} before");
            previous = count;
        }

        Assert.True(previous < coverage.Sum(g => g.NumPoints) / 5, $"{previous} vertices left at 64");
        foreach (var tolerance in new[] { 1.0, 4.0 })
        {
            var ours = simplifier.Simplify(tolerance).Sum(g => g.NumPoints);
            var nts = CoverageSimplifier.Simplify(coverage, tolerance).Sum(g => g.NumPoints);
            Assert.InRange(ours, nts * 0.85, nts * 1.15);
        }
    }

    [Fact]
    public void An_enclave_keeps_its_ring_and_the_same_hole_at_any_tolerance()
    {
        var coverage = WigglyGrid();
        var simplifier = Rank(coverage, 1000);

        // 40 grid edges, the two at each outer corner of the grid joined (no third unit there), and the enclave's ring.
        Assert.Equal(37, simplifier.Topology.ChainCount);
        var simplified = simplifier.Simplify(1000);
        var enclave = (Polygon)simplified[^1];
        Assert.False(enclave.IsEmpty);
        Assert.True(enclave.ExteriorRing.NumPoints >= 4);
        var host = (Polygon)simplified[Cells + 1];
        Assert.Equal(1, host.NumInteriorRings);
        Assert.Equal(
            enclave.ExteriorRing.Coordinates.Skip(1).Select(c => (c.X, c.Y)).Order(),
            host.GetInteriorRingN(0).Coordinates.Skip(1).Select(c => (c.X, c.Y)).Order());
        Assert.Equal(CoverageUnion.Union(simplified).Area, simplified.Sum(g => g.Area), 6);
    }

    [PeruFact]
    public void On_Perus_districts_it_keeps_the_coverage_and_about_the_vertices_of_nts()
    {
        var snapshot = DatasetLoader.Load(new DatasetOptions { Districts = PeruData.File("districts.shp"), Estimates = PeruData.File("poverty.csv") });
        var coverage = snapshot.Districts.Units.Select(u => TilesetBuilder.ToMercator(u.Geometry)).ToArray();
        var tolerance = 16 * WebMercator.TileSize(8) / 4096;
        var ours = ChainSimplification.Rank(snapshot.Topology!.Districts.Project(WebMercator.X, WebMercator.Y), tolerance).Simplify(tolerance);
        var nts = CoverageSimplifier.Simplify(coverage, tolerance);

        Assert.All(ours, g => Assert.True(g.IsValid));
        Assert.True(
            CoverageValidator.Validate(ours).Count(g => g is not null) <= CoverageValidator.Validate(coverage).Count(g => g is not null),
            "the simplified coverage has more invalid units than its input");
        Assert.InRange(ours.Sum(g => g.NumPoints), nts.Sum(g => g.NumPoints) * 0.95, nts.Sum(g => g.NumPoints) * 1.05);
        Assert.Equal(coverage.Sum(g => g.Area), ours.Sum(g => g.Area), coverage.Sum(g => g.Area) * 1e-4);
    }

    private static ChainSimplification Rank(Geometry[] coverage, double maxTolerance) =>
        ChainSimplification.Rank(CoverageTopology.FromCoverage(coverage) ?? throw new ArgumentException("not a coverage"), maxTolerance);

    private static IEnumerable<LineString> Rings(Geometry geometry)
    {
        for (var p = 0; p < geometry.NumGeometries; p++)
        {
            var polygon = (Polygon)geometry.GetGeometryN(p);
            yield return polygon.ExteriorRing;
            foreach (var hole in polygon.InteriorRings)
            {
                yield return hole;
            }
        }
    }

    /// <summary>
    /// A Cells x Cells grid of square cells whose shared edges wiggle (each edge built once, used by both sides), and
    /// an enclave filling a hole in cell (1, 1), last.
    /// </summary>
    private static Geometry[] WigglyGrid()
    {
        var random = new Random(7);
        const int points = 40;
        Coordinate[] Edge(double x0, double y0, double x1, double y1)
        {
            var edge = new Coordinate[points + 2];
            for (var k = 0; k <= points + 1; k++)
            {
                var t = k / (double)(points + 1);
                var offset = k == 0 || k == points + 1 ? 0 : (random.NextDouble() - 0.5) * Cell * 0.15 * Math.Sin(Math.PI * t);
                edge[k] = new Coordinate(x0 + ((x1 - x0) * t) + ((y1 - y0) == 0 ? 0 : offset), y0 + ((y1 - y0) * t) + ((x1 - x0) == 0 ? 0 : offset));
            }

            return edge;
        }

        var horizontal = new Coordinate[Cells, Cells + 1][];
        var vertical = new Coordinate[Cells + 1, Cells][];
        for (var i = 0; i < Cells; i++)
        {
            for (var j = 0; j <= Cells; j++)
            {
                horizontal[i, j] = Edge(i * Cell, j * Cell, (i + 1) * Cell, j * Cell);
                vertical[j, i] = Edge(j * Cell, i * Cell, j * Cell, (i + 1) * Cell);
            }
        }

        var hole = new Coordinate[61];
        for (var k = 0; k < 60; k++)
        {
            var angle = 2 * Math.PI * k / 60;
            var radius = Cell * (0.25 + (0.05 * random.NextDouble()));
            hole[k] = new Coordinate((1.5 * Cell) + (radius * Math.Cos(angle)), (1.5 * Cell) + (radius * Math.Sin(angle)));
        }

        hole[60] = hole[0];
        var result = new List<Geometry>();
        for (var j = 0; j < Cells; j++)
        {
            for (var i = 0; i < Cells; i++)
            {
                var ring = horizontal[i, j]
                    .Concat(vertical[i + 1, j].Skip(1))
                    .Concat(horizontal[i, j + 1].Reverse().Skip(1))
                    .Concat(vertical[i, j].Reverse().Skip(1))
                    .ToArray();
                var holes = i == 1 && j == 1 ? new[] { Factory.CreateLinearRing(hole) } : [];
                result.Add(Factory.CreatePolygon(Factory.CreateLinearRing(ring), holes));
            }
        }

        result.Add(Factory.CreatePolygon(hole.Reverse().ToArray()));
        return [.. result];
    }
}
