using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// The fixed-point filter of <see cref="DistrictLocator"/>'s leaves (integer orientations certified by an error
/// bound, deferring to the exact orientation within it): on a triangulation of jittered points, whose edges are
/// short enough to be stored in fixed point, points on the edges (rounded to doubles, so within an ulp of them), one
/// ulp either side, and the shared vertices are answered as NetTopologySuite's exact point location and the half-open
/// border rule answer them (<see cref="ExactOracle"/>).
/// </summary>
public class FixedPointFilterTests
{
    private const int Side = 12;

    /// <summary>A <see cref="Side"/> x <see cref="Side"/> grid of cells of 0.01 degrees near Lima, each vertex
    /// moved at random by up to a third of a cell, each cell cut into two triangles along a diagonal chosen at random.</summary>
    private static Geometry[] Triangulation()
    {
        var random = new Random(23);
        var x = new double[Side + 1, Side + 1];
        var y = new double[Side + 1, Side + 1];
        for (var i = 0; i <= Side; i++)
        {
            for (var j = 0; j <= Side; j++)
            {
                var inner = i > 0 && i < Side && j > 0 && j < Side;
                x[i, j] = -77 + (0.01 * i) + (inner ? (random.NextDouble() - 0.5) * 0.0066 : 0);
                y[i, j] = -12 + (0.01 * j) + (inner ? (random.NextDouble() - 0.5) * 0.0066 : 0);
            }
        }

        var triangles = new List<Geometry>();
        for (var i = 0; i < Side; i++)
        {
            for (var j = 0; j < Side; j++)
            {
                Coordinate a = new(x[i, j], y[i, j]), b = new(x[i + 1, j], y[i + 1, j]), c = new(x[i + 1, j + 1], y[i + 1, j + 1]), d = new(x[i, j + 1], y[i, j + 1]);
                if (random.Next(2) == 0)
                {
                    triangles.Add(Triangle(a, b, c));
                    triangles.Add(Triangle(a, c, d));
                }
                else
                {
                    triangles.Add(Triangle(a, b, d));
                    triangles.Add(Triangle(b, c, d));
                }
            }
        }

        return [.. triangles];
    }

    private static Polygon Triangle(Coordinate a, Coordinate b, Coordinate c) =>
        SmallLayers.Factory.CreatePolygon([a.Copy(), b.Copy(), c.Copy(), a.Copy()]);

    [Fact]
    public void Points_on_and_within_an_ulp_of_short_edges_and_at_shared_vertices_agree_with_the_exact_predicate()
    {
        var districts = Triangulation();
        var oracle = new ExactOracle(districts);
        var topology = CoverageTopology.FromCoverage(districts) ?? throw new InvalidOperationException("not a coverage");
        var random = new Random(29);
        var points = new List<(double X, double Y)>();
        foreach (var district in districts)
        {
            var ring = district.Coordinates;
            for (var v = 0; v + 1 < ring.Length; v++)
            {
                var (a, b) = (ring[v], ring[v + 1]);
                points.Add((a.X, a.Y));
                for (var k = 0; k < 3; k++)
                {
                    var t = random.NextDouble();
                    var (px, py) = (a.X + (t * (b.X - a.X)), a.Y + (t * (b.Y - a.Y)));
                    points.AddRange([(px, py), (px, Math.BitIncrement(py)), (px, Math.BitDecrement(py)), (Math.BitIncrement(px), py), (Math.BitDecrement(px), py)]);
                }
            }
        }

        foreach (var locator in new[] { DistrictLocator.Build(topology), DistrictLocator.Build(districts) })
        {
            var disagreements = new List<string>();
            var boundary = 0;
            foreach (var (x, y) in points)
            {
                var answer = locator.LocateCovering(x, y);
                boundary += answer.Match == LookupMatch.Boundary ? 1 : 0;
                if (oracle.Disagreement(x, y, answer) is { } problem)
                {
                    disagreements.Add(problem);
                }
            }

            Assert.Empty(disagreements.Take(10));

            // The vertices at least, and some rounded edge points, were exactly on borders.
            Assert.True(boundary > districts.Length * 3, $"only {boundary} of {points.Count} points were on a border");
        }
    }
}
