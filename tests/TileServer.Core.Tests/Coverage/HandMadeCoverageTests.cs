using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Tests.Coverage;

/// <summary>Small coverages near Lima whose right answer is known by construction. One unit is 0.01 degree.</summary>
public class HandMadeCoverageTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);
    private const double Lon0 = -77.0;
    private const double Lat0 = -12.0;
    private const double Unit = 0.01;

    private static Coordinate C(double x, double y) => new(Math.Round(Lon0 + (x * Unit), 7), Math.Round(Lat0 + (y * Unit), 7));

    private static LinearRing Ring(double x0, double y0, double x1, double y1) =>
        Factory.CreateLinearRing([C(x0, y0), C(x1, y0), C(x1, y1), C(x0, y1), C(x0, y0)]);

    private static Polygon Box(double x0, double y0, double x1, double y1) => Factory.CreatePolygon(Ring(x0, y0, x1, y1));

    private static double Km2(Geometry g) => EqualAreaProjection.AreaSquareKilometres(g);

    private static CoverageCleaningResult Clean(params Geometry[] districts) =>
        CoverageCleaner.Clean(districts, [.. districts.Select((_, i) => $"{i + 1:D6}")], CoverageCleaningOptions.Default);

    private static void AssertCleanCoverage(CoverageCleaningResult result)
    {
        var cleaned = result.Districts.ToArray();
        Assert.All(cleaned, g => Assert.True(g.IsValid && !g.IsEmpty));
        Assert.All(CoverageValidator.Validate(cleaned), invalid => Assert.Null(invalid));
        Assert.Equal(0, CoverageQuality.Measure(cleaned).OverlappingPairs);
        TopologyOracle.AssertSidesMatch(result.Topology, cleaned);
    }

    [Fact]
    public void Two_overlapping_squares_give_the_overlap_to_the_smaller_one()
    {
        var large = Box(0, 0, 1.2, 1);
        var small = Box(1, 0, 2, 1);
        var overlapKm2 = Km2(large.Intersection(small));

        var quality = CoverageQuality.Measure([large, small]);
        Assert.Equal(1, quality.OverlappingPairs);
        Assert.Equal(overlapKm2, quality.OverlapAreaSquareKilometres, 6);
        Assert.Equal(0, quality.Gaps);

        var result = Clean(large, small);
        AssertCleanCoverage(result);
        Assert.Equal(Km2(small), Km2(result.Districts[1]), 6);
        Assert.Equal(Km2(large) - overlapKm2, Km2(result.Districts[0]), 6);
        Assert.Equal(1, result.Report.OverlapsResolved);
        Assert.Equal(overlapKm2, result.Report.OverlapsResolvedSquareKilometres, 6);
    }

    [Fact]
    public void A_sliver_between_two_squares_goes_to_the_larger_neighbour()
    {
        // The sliver (0.001 degree, about 110 m wide) is closed above and below by two strips, so it is a hole.
        var left = Box(0, 0, 1, 1);
        var right = Box(1.1, 0, 2.5, 1);
        var top = Box(0, 1, 2.5, 1.5);
        var bottom = Box(0, -0.5, 2.5, 0);
        var sliverKm2 = Km2(Box(1, 0, 1.1, 1));

        var quality = CoverageQuality.Measure([left, right, top, bottom]);
        Assert.Equal(1, quality.Gaps);
        Assert.Equal(sliverKm2, quality.GapAreaSquareKilometres, 6);

        var result = Clean(left, right, top, bottom);
        AssertCleanCoverage(result);
        Assert.Equal(1, result.Report.GapsMerged);
        Assert.Equal(0, result.Report.HolesKept);
        Assert.Equal(Km2(right) + sliverKm2, Km2(result.Districts[1]), 6);
        Assert.Equal(Km2(left), Km2(result.Districts[0]), 6);
        Assert.True(CoverageGapFinder.FindGaps(result.Districts.ToArray(), 1000 / 111_320.0)?.IsEmpty ?? true);
    }

    [Fact]
    public void A_lake_wider_than_the_gap_width_stays_a_hole_and_a_narrow_one_is_filled()
    {
        var lake = Ring(0.5, 0.5, 1.5, 1.5); // about 1.1 km across
        var puddle = Ring(1.8, 1.8, 1.805, 1.9); // about 5 m wide
        var district = Factory.CreatePolygon(Ring(0, 0, 2, 2), [lake, puddle]);
        var neighbour = Box(2, 0, 3, 2);

        var result = Clean(district, neighbour);
        AssertCleanCoverage(result);
        Assert.Equal(1, result.Report.HolesKept);
        Assert.Equal(Km2(Factory.CreatePolygon(lake)), result.Report.HolesKeptSquareKilometres, 6);
        Assert.Equal(1, result.Report.GapsMerged);
        var cleaned = Assert.IsType<Polygon>(result.Districts[0]);
        Assert.Equal(1, cleaned.NumInteriorRings);
        Assert.Equal(Km2(district) + Km2(Factory.CreatePolygon(puddle)), Km2(cleaned), 6);
    }

    [Fact]
    public void An_island_part_survives_as_a_multipolygon()
    {
        var mainland = Box(0, 0, 1, 1);
        var island = Box(3, 3, 3.5, 3.5);
        var district = Factory.CreateMultiPolygon([mainland, island]);
        var neighbour = Box(1, 0, 2, 1);

        var result = Clean(district, neighbour);
        AssertCleanCoverage(result);
        var cleaned = Assert.IsType<MultiPolygon>(result.Districts[0]);
        Assert.Equal(2, cleaned.NumGeometries);
        Assert.Equal(Km2(district), Km2(cleaned), 6);
        Assert.Equal(Km2(neighbour), Km2(result.Districts[1]), 6);
    }

    [Fact]
    public void Squares_meeting_at_a_shared_vertex_are_already_clean_and_unchanged()
    {
        Geometry[] squares = [Box(0, 0, 1, 1), Box(1, 0, 2, 1), Box(0, 1, 1, 2), Box(1, 1, 2, 2), Box(2, 2, 3, 3)];

        var quality = CoverageQuality.Measure(squares);
        Assert.Equal(0, quality.OverlappingPairs);
        Assert.Equal(0, quality.Gaps);

        var result = Clean(squares);
        AssertCleanCoverage(result);
        for (var i = 0; i < squares.Length; i++)
        {
            Assert.True(squares[i].EqualsTopologically(result.Districts[i]), $"square {i} changed");
        }

        Assert.Empty(result.Report.ChangedDistricts);
    }

    [Fact]
    public void An_enclave_drawn_on_top_of_its_host_punches_a_hole_in_the_host()
    {
        var host = Box(0, 0, 3, 3);
        var enclave = Box(1, 1, 2, 2);

        var result = Clean(host, enclave);
        AssertCleanCoverage(result);
        Assert.Equal(1, Assert.IsType<Polygon>(result.Districts[0]).NumInteriorRings);
        Assert.Equal(Km2(enclave), Km2(result.Districts[1]), 6);
    }

    [Fact]
    public void A_district_entirely_covered_by_smaller_ones_is_not_dropped()
    {
        var covered = Box(0, 0, 1, 1);
        var west = Box(-0.1, 0, 0.6, 1);
        var east = Box(0.5, 0, 1.1, 1);

        var result = Clean(covered, west, east);
        AssertCleanCoverage(result);
        Assert.True(Km2(result.Districts[0]) > 0);
    }

    [Fact]
    public void An_empty_layer_cleans_to_an_empty_layer_with_an_empty_report()
    {
        var result = Clean();

        Assert.Empty(result.Districts);
        Assert.Equal(new CoverageQualityReport(0, 0, 0, 0, 0, 0), result.Report.RawQuality);
        Assert.Equal(0, result.Report.HolesKept);
    }
}
