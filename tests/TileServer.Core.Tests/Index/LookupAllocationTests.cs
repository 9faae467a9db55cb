using NetTopologySuite.Geometries;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary><see cref="DistrictLocator"/>'s "a lookup allocates nothing" (every path but the nearest search),
/// counted over many lookups inside, on borders, in holes and outside the grid.</summary>
public class LookupAllocationTests
{
    [Fact]
    public void Locating_points_inside_on_borders_and_outside_allocates_nothing()
    {
        // A grid of 20 x 20 districts with a hole in one, so that lookups walk leaves with edges, leaves without, a
        // hole, shared edges and vertices, and the outside of the grid.
        var shell = SmallLayers.Factory.CreateLinearRing([new(0, 0), new(0, 1), new(1, 1), new(1, 0), new(0, 0)]);
        var hole = SmallLayers.Factory.CreateLinearRing([new(0.25, 0.25), new(0.75, 0.25), new(0.75, 0.75), new(0.25, 0.75), new(0.25, 0.25)]);
        Geometry[] districts =
        [
            SmallLayers.Factory.CreatePolygon(shell, [hole]),
            .. Enumerable.Range(1, 399).Select(i => SmallLayers.Box(i % 20, i / 20, (i % 20) + 1, (i / 20) + 1)),
        ];
        var locator = DistrictLocator.Build(districts);
        var random = new Random(3);
        var points = Enumerable.Range(0, 1000).Select(_ => (X: (random.NextDouble() * 24) - 2, Y: (random.NextDouble() * 24) - 2))
            .Concat([(0.5, 0.5), (1, 1), (5, 5.5), (10, 10), (-1, 3)])
            .ToArray();
        var i = 0;
        var found = 0;

        // Outside every district the nearest search runs and may allocate (documented); with snapping off, or for a
        // covered point, nothing may.
        var bytes = Allocations.Measure(() =>
        {
            var (x, y) = points[i++ % points.Length];
            var covering = locator.LocateCovering(x, y);
            found += covering.Found ? 1 : 0;
            found += locator.Locate(x, y, covering.Found ? 1000 : 0).Found ? 1 : 0;
        });

        Assert.Equal(0, bytes);
        var calls = (Allocations.Rounds + 1) * 10_000;
        Assert.InRange(found, calls / 2, calls * 19 / 10);
    }
}
