using System.Globalization;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Coverage;

namespace TileServer.Core.Tests.Coverage;

/// <summary>Loads and cleans the Peru layer once for all the tests of <see cref="PeruCoverageTests"/>.</summary>
public sealed class PeruCoverageFixture
{
    private readonly Lazy<(Geometry[] Districts, string[] Codes, CoverageCleaningResult Result)> _loaded = new(() =>
    {
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(PeruData.File("districts.shp"));
        var districts = features.Select(f => f.Geometry).ToArray();
        var codes = features.Select(f => (string)f.Attributes["UBIGEO"]).ToArray();
        return (districts, codes, CoverageCleaner.Clean(districts, codes, CoverageCleaningOptions.Default));
    });

    public Geometry[] Districts => _loaded.Value.Districts;

    public string[] Codes => _loaded.Value.Codes;

    public CoverageCleaningResult Result => _loaded.Value.Result;
}

public class PeruCoverageTests(PeruCoverageFixture peru) : IClassFixture<PeruCoverageFixture>
{
    [PeruFact]
    public void Raw_quality_matches_the_figures_in_the_data_readme()
    {
        var quality = CoverageQuality.Measure(peru.Districts);

        // The README counts 5,086 pairs with a floating-point overlay; one of them (0.97 m2) is a sliver thinner than
        // the 1e-7 degree grid and collapses when snapped, so on the grid 5,085 pairs overlap with positive area.
        Assert.Equal(5085, quality.OverlappingPairs);
        Assert.InRange(quality.OverlapAreaSquareKilometres, 1750, 1765);
        Assert.InRange(quality.LargestOverlapSquareKilometres, 9.5, 10.5);
        Assert.InRange(quality.Gaps, 43_500, 44_500);
        Assert.InRange(quality.GapAreaSquareKilometres, 2450, 2550);
        Assert.Equal(quality, peru.Result.Report.RawQuality);
    }

    [PeruFact]
    public void Cleaned_layer_is_a_valid_coverage_with_no_overlap_and_no_narrow_gap()
    {
        var cleaned = peru.Result.Districts.ToArray();
        Assert.Equal(peru.Districts.Length, cleaned.Length);
        Assert.All(cleaned, g => Assert.True(g.IsValid && !g.IsEmpty));
        Assert.All(CoverageValidator.Validate(cleaned), invalid => Assert.Null(invalid));

        // Degrees of latitude and longitude are at most 111,320 m long, so a gap narrower than the gap width in
        // metres is narrower than this in degrees.
        var gapWidthDegrees = CoverageCleaningOptions.Default.GapWidthMetres / 111_320;
        Assert.True(CoverageGapFinder.FindGaps(cleaned, gapWidthDegrees)?.IsEmpty ?? true);
    }

    [PeruFact]
    public void Report_counts_are_reproduced_by_measuring_the_cleaned_layer()
    {
        var report = peru.Result.Report;
        var after = CoverageQuality.Measure(peru.Result.Districts);

        Assert.Equal(0, after.OverlappingPairs);
        Assert.Equal(report.HolesKept, after.Gaps);
        Assert.Equal(report.HolesKeptSquareKilometres, after.GapAreaSquareKilometres, 3);
        Assert.Equal(report.RawQuality.Gaps, report.GapsMerged + report.HolesKept);
        Assert.Equal(report.RawQuality.GapAreaSquareKilometres,
            report.GapsMergedSquareKilometres + report.HolesKeptSquareKilometres, 3);
        Assert.Equal(report.RawQuality.OverlapRegionSquareKilometres, report.OverlapsResolvedSquareKilometres, 6);
        Assert.InRange(report.HolesKept, 1, 20);
    }

    [PeruFact]
    public void Areas_stay_honest()
    {
        var report = peru.Result.Report;

        Assert.True(report.LargestRelativeChange < 0.10, $"largest change {report.LargestRelativeChange:P2}");
        Assert.True(report.CountChangedMoreThan(0.02) <= 19, $"{report.CountChangedMoreThan(0.02)} districts over 2%");
        var total = (report.CleanedTotalSquareKilometres / report.RawTotalSquareKilometres) - 1;
        Assert.True(Math.Abs(total) < 0.005, $"total change {total:P3}");
        var uniqueCodes = report.ChangedDistricts.Select(c => c.Code).Distinct().Count();
        Assert.Equal(report.ChangedDistricts.Count, uniqueCodes);
    }

    [PeruFact]
    public void Every_populated_place_falls_in_at_most_one_cleaned_district()
    {
        var cleaned = peru.Result.Districts;
        var tree = new STRtree<int>();
        for (var d = 0; d < cleaned.Count; d++)
        {
            tree.Insert(cleaned[d].EnvelopeInternal, d);
        }

        tree.Build();
        var locators = cleaned.Select(g => new IndexedPointInAreaLocator(g)).ToArray();

        int places = 0, inOne = 0;
        foreach (var line in File.ReadLines(PeruData.File("populated_places.csv")).Skip(1))
        {
            var fields = line.Split(',');
            var point = new Coordinate(double.Parse(fields[^1], CultureInfo.InvariantCulture),
                double.Parse(fields[^2], CultureInfo.InvariantCulture));
            var containing = 0;
            foreach (var d in tree.Query(new Envelope(point)))
            {
                if (locators[d].Locate(point) == Location.Interior)
                {
                    containing++;
                }
            }

            Assert.True(containing <= 1, $"place {fields[0]} lies in {containing} districts");
            places++;
            inOne += containing;
        }

        Assert.Equal(94_922, places);
        Assert.True(inOne > 94_000, $"only {inOne} places in a district");
    }

    [PeruFact]
    public void The_topology_has_the_cleaned_districts_on_the_sides_of_its_chains()
    {
        TopologyOracle.AssertSidesMatch(peru.Result.Topology, peru.Result.Districts);
    }

    [PeruFact]
    public void Provinces_and_departments_dissolved_from_the_topology_are_clean_coverages_of_the_areas_of_nts_coverage_union()
    {
        var cleaned = peru.Result.Districts;
        var topology = peru.Result.Topology;
        foreach (var (length, count) in new[] { (4, 196), (2, 25) })
        {
            var keys = peru.Codes.Select(c => c[..length]).Distinct().Order(StringComparer.Ordinal).ToList();
            var groupOf = peru.Codes.Select(c => keys.IndexOf(c[..length])).ToArray();

            var dissolved = topology.ToGeometries(topology.Dissolve(groupOf, keys.Count), cleaned[0].Factory);

            Assert.Equal(count, dissolved.Length);
            Assert.All(dissolved, g => Assert.True(g.IsValid && !g.IsEmpty));
            Assert.All(CoverageValidator.Validate(dissolved), invalid => Assert.Null(invalid));
            for (var g = 0; g < keys.Count; g++)
            {
                var union = CoverageUnion.Union([.. cleaned.Where((_, d) => groupOf[d] == g)]);
                Assert.Equal(union.Area, dissolved[g].Area, union.Area * 1e-9);
                Assert.Equal(union.NumGeometries, dissolved[g].NumGeometries);
            }
        }
    }
}
