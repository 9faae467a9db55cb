using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;

namespace TileServer.Core.Tests.Coverage;

/// <summary>
/// The README's cleaning rules, each on a layer built so that one rule, and only that rule, decides who gets a piece:
/// overlaps to the smallest source area, ties to the lowest code, gaps to the largest neighbour among those sharing at
/// least half of the longest shared border, holes wider than the gap width kept. The expected outlines are the source
/// polygons combined with NetTopologySuite's overlay, compared by the area of their symmetric difference; none of the
/// project's area or coverage code is used. One unit is 0.01 degree near Lima.
/// </summary>
public class CleaningRuleTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private const double Unit = 0.01;

    /// <summary>Square degrees of a thousandth of a unit square: far below any piece the rules move.</summary>
    private const double Tolerance = Unit * Unit * 1e-6;

    private static Coordinate C(double x, double y) => new(Math.Round(-77.0 + (x * Unit), 7), Math.Round(-12.0 + (y * Unit), 7));

    private static Polygon Polygon(params (double X, double Y)[] points) =>
        Factory.CreatePolygon([.. points.Select(p => C(p.X, p.Y)), C(points[0].X, points[0].Y)]);

    private static Polygon Box(double x0, double y0, double x1, double y1) => Polygon((x0, y0), (x1, y0), (x1, y1), (x0, y1));

    private static void AssertSameOutline(Geometry expected, Geometry actual, string what) =>
        Assert.True(expected.SymmetricDifference(actual).Area < Tolerance,
            $"{what}: cleaned outline differs from the expected one by {expected.SymmetricDifference(actual).Area:E3} square degrees");

    [Fact]
    public void An_overlap_goes_to_the_covering_district_with_the_smallest_source_area()
    {
        // Three districts over one corner: the 1x1 square is the smallest of the three covering it.
        var large = Box(0, 0, 3, 3);
        var medium = Box(2, 2, 4, 4);
        var small = Box(2.5, 2.5, 3.5, 3.5);

        var result = CoverageCleaner.Clean([large, medium, small], ["000001", "000002", "000003"], CoverageCleaningOptions.Default);

        AssertSameOutline(small, result.Districts[2], "smallest");
        AssertSameOutline(medium.Difference(small), result.Districts[1], "medium");
        AssertSameOutline(large.Difference(medium), result.Districts[0], "large");
    }

    [Theory]
    [InlineData("000001", "000002", 0)]
    [InlineData("000002", "000001", 1)]
    [InlineData("150101", "150099", 1)]
    public void An_overlap_between_districts_of_equal_source_area_goes_to_the_lowest_code(string firstCode, string secondCode, int winner)
    {
        // Two 2x1 squares overlapping on the middle unit. Both code orders are run: were their source areas not an
        // exact tie, one of the orders would give the overlap by area and fail, so passing both shows the code decided.
        var first = Box(0, 0, 2, 1);
        var second = Box(1, 0, 3, 1);

        var result = CoverageCleaner.Clean([first, second], [firstCode, secondCode], CoverageCleaningOptions.Default);

        var overlap = first.Intersection(second);
        var (won, lost) = winner == 0 ? (first, second) : (second, first);
        AssertSameOutline(won, result.Districts[winner], "lowest code");
        AssertSameOutline(lost.Difference(overlap), result.Districts[1 - winner], "highest code");
    }

    /// <summary>
    /// A gap 0.05 units (about 55 m) high under [0,1]: N1 below shares all of its 1-unit bottom (the longest border)
    /// and is the smallest; N2 above-left shares 0.6 of its top and its left end (more than half the longest) and is
    /// larger than N1; N3 above-right shares 0.4 of its top and its right end (less than half) and is the largest.
    /// </summary>
    [Fact]
    public void A_gap_goes_to_the_largest_neighbour_sharing_at_least_half_of_the_longest_border()
    {
        const double w = 0.05;
        var n1 = Box(-1, -1, 3, 0);
        var n2 = Polygon((-1, 0), (0, 0), (0, w), (0.6, w), (0.6, 3), (-1, 3));
        var n3 = Polygon((0.6, w), (1, w), (1, 0), (3, 0), (3, 3), (0.6, 3));
        var gap = Box(0, 0, 1, w);
        Assert.True(n1.Area < n2.Area && n2.Area < n3.Area, "the fixture's areas are ordered N1 < N2 < N3");

        var result = CoverageCleaner.Clean([n1, n2, n3], ["000001", "000002", "000003"], CoverageCleaningOptions.Default);

        AssertSameOutline(n2.Union(gap), result.Districts[1], "N2 (largest of those sharing at least half)");
        AssertSameOutline(n1, result.Districts[0], "N1 (longest border, smaller)");
        AssertSameOutline(n3, result.Districts[2], "N3 (largest, short border)");
        Assert.Equal(1, result.Report.GapsMerged);
    }

    [Theory]
    [InlineData(600, true)]
    [InlineData(450, false)]
    public void A_hole_is_filled_only_when_narrower_than_the_gap_width(double gapWidthMetres, bool filled)
    {
        // A square hole of 0.45 x 0.45 units: 0.0045° of latitude is 497.6 m (111,574 m per degree at 12°S) and of
        // longitude 490.0 m (108,900 m per degree), so the widest circle inside is about 490 m across.
        var shell = Factory.CreateLinearRing([C(0, 0), C(2, 0), C(2, 2), C(0, 2), C(0, 0)]);
        var holeRing = Factory.CreateLinearRing([C(0.5, 0.5), C(0.5, 0.95), C(0.95, 0.95), C(0.95, 0.5), C(0.5, 0.5)]);
        var withHole = Factory.CreatePolygon(shell, [holeRing]);
        var neighbour = Box(2, 0, 3, 2);

        var result = CoverageCleaner.Clean([withHole, neighbour], ["000001", "000002"], new CoverageCleaningOptions { GapWidthMetres = gapWidthMetres });

        AssertSameOutline(filled ? Factory.CreatePolygon(shell) : withHole, result.Districts[0], filled ? "filled hole" : "kept hole");
        AssertSameOutline(neighbour, result.Districts[1], "neighbour");
        Assert.Equal(filled ? 1 : 0, result.Report.GapsMerged);
        Assert.Equal(filled ? 0 : 1, result.Report.HolesKept);
    }
}
