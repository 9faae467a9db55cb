using NetTopologySuite.Geometries;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// The README's border rule, "a point belongs to the district that contains the point moved by an infinitesimal amount
/// up, then an even smaller amount left", with the district stated for each case: by hand where the geometry makes it
/// obvious, and elsewhere by <see cref="ExactOracle.HalfOpenOwner"/> (NetTopologySuite locating the point moved by
/// finite steps), never "any district touching the point".
/// </summary>
public class HalfOpenBorderRuleTests
{
    private static readonly GeometryFactory Factory = SmallLayers.Factory;

    private static Polygon Triangle((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) =>
        Factory.CreatePolygon([new(a.X, a.Y), new(b.X, b.Y), new(c.X, c.Y), new(a.X, a.Y)]);

    [Fact]
    public void A_point_on_a_north_south_edge_belongs_to_the_district_on_its_left()
    {
        var locator = DistrictLocator.Build([SmallLayers.Box(0, 0, 1, 1), SmallLayers.Box(1, 0, 2, 1)]);

        foreach (var y in new[] { 0.25, 0.5, 0.75, Math.BitIncrement(0.0), Math.BitDecrement(1.0) })
        {
            Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(1, y));
        }

        // Mirrored (the left district listed second): the rule follows the geometry, not the order.
        var mirrored = DistrictLocator.Build([SmallLayers.Box(1, 0, 2, 1), SmallLayers.Box(0, 0, 1, 1)]);
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), mirrored.LocateCovering(1, 0.5));
    }

    [Fact]
    public void A_point_on_an_east_west_edge_belongs_to_the_district_above_it()
    {
        var locator = DistrictLocator.Build([SmallLayers.Box(0, 1, 1, 2), SmallLayers.Box(0, 0, 1, 1)]);

        foreach (var x in new[] { 0.25, 0.5, 0.75, Math.BitIncrement(0.0), Math.BitDecrement(1.0) })
        {
            Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(x, 1));
        }
    }

    [Fact]
    public void A_point_on_a_slanted_edge_belongs_to_the_district_above_it()
    {
        // The shared edge runs from (0,0) to (4,2); (2,1) and (1,0.5) lie exactly on it.
        var below = Triangle((0, 0), (4, 0), (4, 2));
        var above = Triangle((0, 0), (4, 2), (0, 2));
        var steep = Triangle((0, 0), (1, -4), (4, 0));
        var locator = DistrictLocator.Build([below, above]);

        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(2, 1));
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(1, 0.5));

        // A steep edge from (1,-4) up to (0,0) leans left as it rises, so the point just above (0.5,-2) is right of
        // it: the district east of the edge, not the one west of it.
        var steepLocator = DistrictLocator.Build([steep, Triangle((0, 0), (0, -4), (1, -4))]);
        Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), steepLocator.LocateCovering(0.5, -2));
    }

    /// <summary>Fans of 3 to 6 triangles around the origin; sector i runs counter-clockwise from spoke i to spoke
    /// i + 1. <c>owner</c> is the sector holding the points just above the origin (just left of an upward spoke),
    /// worked out by hand.</summary>
    public static TheoryData<string, int> Fans() => new()
    {
        { "0,4 -4,-4 4,-2", 0 },
        { "4,0 0,4 -4,0 0,-4", 1 },
        { "4,2 0,4 -4,2 -2,-4 2,-4", 1 },
        { "4,0 2,4 -2,4 -4,0 -2,-4 2,-4", 1 },
        { "4,2 0,4 -4,2 -4,-2 0,-4 4,-2", 1 },
        { "4,-4 4,4 -4,4 -4,-4", 1 },
    };

    [Theory]
    [MemberData(nameof(Fans))]
    public void A_vertex_shared_by_three_to_six_districts_belongs_to_the_one_holding_the_points_just_above_it(string spokes, int owner)
    {
        var directions = spokes.Split(' ').Select(p => p.Split(',')).Select(p => (X: double.Parse(p[0]), Y: double.Parse(p[1]))).ToArray();
        Geometry[] sectors = [.. directions.Select((d, i) => (Geometry)Triangle((0, 0), d, directions[(i + 1) % directions.Length]))];
        var locator = DistrictLocator.Build(sectors);
        var oracle = new ExactOracle(sectors);

        Assert.Equal(new DistrictMatch(owner, LookupMatch.Boundary, 0), locator.LocateCovering(0, 0));
        Assert.Equal(owner, oracle.HalfOpenOwner(0, 0));

        // Every spoke at a half and a quarter of its length (exact: the spokes end on even integers), each spoke's
        // outer end (a coast vertex of two districts) and each coast edge's midpoint.
        var checkedOnShared = 0;
        for (var i = 0; i < directions.Length; i++)
        {
            var (x, y) = directions[i];
            var next = directions[(i + 1) % directions.Length];
            foreach (var (px, py) in new[] { (x / 2, y / 2), (x / 4, y / 4), (x, y), ((x + next.X) / 2, (y + next.Y) / 2) })
            {
                var answer = locator.LocateCovering(px, py);
                Assert.Null(oracle.Disagreement(px, py, answer));
                Assert.Equal(LookupMatch.Boundary, answer.Match);
                checkedOnShared += oracle.HalfOpenOwner(px, py) is >= 0 ? 1 : 0;
            }
        }

        // The spoke points, at least, are inside the fan on both sides: the rule, not the coast case, decided them.
        Assert.True(checkedOnShared >= 2 * directions.Length, $"only {checkedOnShared} points had an owner by the rule");
        Assert.Equal(0, oracle.Ambiguous);
    }

    [Fact]
    public void Spokes_pointing_straight_down_give_their_points_to_the_district_on_their_left()
    {
        // Six sectors with vertical spokes up and down: a point on the downward spoke moves up onto the spoke again,
        // then left, into sector 3 (from (-4,-2) to (0,-4)).
        (double X, double Y)[] d = [(4, 2), (0, 4), (-4, 2), (-4, -2), (0, -4), (4, -2)];
        Geometry[] sectors = [.. d.Select((p, i) => (Geometry)Triangle((0, 0), p, d[(i + 1) % d.Length]))];
        var locator = DistrictLocator.Build(sectors);

        Assert.Equal(new DistrictMatch(3, LookupMatch.Boundary, 0), locator.LocateCovering(0, -2));
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(0, 2));
    }

    [Fact]
    public void A_point_on_the_coast_belongs_to_the_district_whose_border_holds_it()
    {
        // Two boxes side by side; above them is the sea. The top edges' points move up into the sea, so the rule falls
        // back to the district whose border holds the point; the bottom edges' points move up into their district.
        var locator = DistrictLocator.Build([SmallLayers.Box(0, 0, 1, 1), SmallLayers.Box(1, 0, 2, 1)]);

        Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(0.5, 1));
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(1.5, 1));
        Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(0.5, 0));
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(1.5, 0));
        Assert.Equal(new DistrictMatch(1, LookupMatch.Boundary, 0), locator.LocateCovering(2, 0.5));
        Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), locator.LocateCovering(0, 0.5));
        Assert.Equal(DistrictMatch.NotFound, locator.LocateCovering(0.5, Math.BitIncrement(1.0)));
    }
}
