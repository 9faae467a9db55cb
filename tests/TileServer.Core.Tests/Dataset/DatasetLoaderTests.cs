using System.Diagnostics;
using TileServer.Core.Dataset;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Dataset;

public sealed class PeruDatasetFixture
{
    private readonly Lazy<(DatasetSnapshot Snapshot, long WallMs)> _load = new(() =>
    {
        var clock = Stopwatch.StartNew();
        var snapshot = DatasetLoader.Load(new DatasetOptions
        {
            Districts = PeruData.File("districts.shp"),
            Estimates = PeruData.File("poverty.csv"),
        });
        return (snapshot, clock.ElapsedMilliseconds);
    });

    public DatasetSnapshot Snapshot => _load.Value.Snapshot;

    /// <summary>The wall time of the whole load, measured around it by the test.</summary>
    public long WallMs => _load.Value.WallMs;
}

public class DatasetLoaderTests(PeruDatasetFixture peru) : IClassFixture<PeruDatasetFixture>
{
    [PeruFact]
    public void Peru_has_25_departments_and_196_provinces()
    {
        Assert.Equal(25, peru.Snapshot.Departments.Units.Count);
        Assert.Equal(196, peru.Snapshot.Provinces.Units.Count);
        Assert.Equal(1891, peru.Snapshot.Districts.Units.Count);
    }

    [PeruFact]
    public void Lima_population_is_the_sum_of_its_districts()
    {
        var snapshot = peru.Snapshot;
        var column = snapshot.Departments.Columns.Select(c => c.Name).ToList().IndexOf("poblacion");
        var districtColumn = snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("poblacion");
        var expected = snapshot.Districts.Units.Where(d => d.DepartmentCode == "15").Sum(d => d.Values[districtColumn] as double? ?? 0);

        var lima = snapshot.Departments.Find("15")!;

        Assert.Equal("LIMA", lima.Name);
        Assert.True(expected > 1_000_000);
        Assert.Equal(expected, (double)lima.Values[column]!, 6);
    }

    [PeruFact]
    public void Report_times_every_load_step_and_the_cleaning_inside_its_own()
    {
        var report = peru.Snapshot.Report;

        Assert.Equal(["aggregator", "classesAndRanks", "cleanCoverage", "dissolve", "features", "join", "labelPoints", "lookupIndex", "readEstimates", "readLayer", "searchIndex", "targetingIndex", "total", "version"], report.TimingsMs.Keys.Order(StringComparer.Ordinal));
        // The total is the load's wall time: no longer than the load as timed from outside, and at least the longer
        // of the two reads (side by side), the steps that run one after the other (up to the dissolve), plus the
        // longest of those that run side by side; each step's own time is at most the total, and the heavy ones
        // (hundreds of milliseconds on Peru) are measured.
        var total = report.TimingsMs["total"];
        Assert.InRange(total, 1, peru.WallMs);
        string[] reads = ["readLayer", "readEstimates"];
        string[] sequential = ["join", "cleanCoverage", "dissolve"];
        var sideBySide = report.TimingsMs.Keys.Except(sequential).Except(reads).Where(k => k != "total");
        var longestRead = reads.Max(s => report.TimingsMs[s]);
        Assert.InRange(longestRead + sequential.Sum(s => report.TimingsMs[s]) + sideBySide.Max(s => report.TimingsMs[s]), 1, total + sequential.Length + 1);
        Assert.All(report.TimingsMs.Values, ms => Assert.InRange(ms, 0, total));
        Assert.All(["readLayer", "cleanCoverage", "dissolve", "lookupIndex", "labelPoints"], step => Assert.InRange(report.TimingsMs[step], 1, total));
        var cleaning = report.Cleaning!;
        Assert.True(cleaning.Elapsed > TimeSpan.Zero);
        Assert.True(report.TimingsMs["cleanCoverage"] >= (long)cleaning.Elapsed.TotalMilliseconds,
            $"cleanCoverage {report.TimingsMs["cleanCoverage"]} ms is shorter than the cleaning it includes ({cleaning.Elapsed})");
    }

    [PeruFact]
    public void Version_is_the_same_for_the_same_inputs_and_options()
    {
        var again = DatasetLoader.Load(new DatasetOptions { Districts = PeruData.File("districts.shp"), Estimates = PeruData.File("poverty.csv") });
        Assert.Equal(peru.Snapshot.Version, again.Version);
        Assert.Matches("^[0-9a-f]{16}$", again.Version);
    }

    [Fact]
    public void Small_dataset_loads_with_all_levels_and_a_version()
    {
        using var temp = new TempFolder();
        var options = new DatasetOptions
        {
            Districts = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares()),
            Estimates = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv),
        };

        var snapshot = DatasetLoader.Load(options);
        var changed = DatasetLoader.Load(new DatasetOptions { Districts = options.Districts, Estimates = options.Estimates, PopulationColumn = "pobreza_pct" });

        Assert.Equal(2, snapshot.Departments.Units.Count);
        Assert.Equal(3, snapshot.Provinces.Units.Count);
        Assert.Equal(4, snapshot.Report.Join.Matched);
        Assert.NotEqual(snapshot.Version, changed.Version);
        Assert.InRange(snapshot.Districts.Find("010101")!.AreaKm2, 11_500, 12_300);
    }

    /// <summary>Each option that shapes what is served, set to another value the small dataset still loads with.</summary>
    private static readonly Dictionary<string, Action<DatasetOptions>> OptionChanges = new()
    {
        [nameof(DatasetOptions.DistrictCodeLength)] = o => o.DistrictCodeLength = 7,
        [nameof(DatasetOptions.ProvinceCodeLength)] = o => o.ProvinceCodeLength = 3,
        [nameof(DatasetOptions.DepartmentCodeLength)] = o => o.DepartmentCodeLength = 1,
        [nameof(DatasetOptions.DistrictNameFields)] = o => o.DistrictNameFields = "distrito,NOMBDIST",
        [nameof(DatasetOptions.ProvinceNameFields)] = o => o.ProvinceNameFields = "departamento",
        [nameof(DatasetOptions.PopulationColumn)] = o => o.PopulationColumn = "pobreza_pct",
        [nameof(DatasetOptions.ExtensiveColumns)] = o => o.ExtensiveColumns = "poblacion,pobreza_pct",
        [nameof(DatasetOptions.DerivedCounts)] = o => o.DerivedCounts = "pobres=pobreza_pct",
        [nameof(DatasetOptions.CleanCoverage)] = o => o.CleanCoverage = false,
        [nameof(DatasetOptions.MaxGapWidthMetres)] = o => o.MaxGapWidthMetres = 250,
        [nameof(DatasetOptions.DefaultShapefileEncoding)] = o => o.DefaultShapefileEncoding = "utf-8",
        [nameof(DatasetOptions.EstimatesEncoding)] = o => o.EstimatesEncoding = "ISO-8859-1",
    };

    public static TheoryData<string> ShapingOptions() => [.. OptionChanges.Keys];

    [Theory]
    [MemberData(nameof(ShapingOptions))]
    public void Version_changes_when_an_option_that_shapes_the_answers_changes(string option)
    {
        using var temp = new TempFolder();
        var districts = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        var estimates = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv);
        var changed = new DatasetOptions { Districts = districts, Estimates = estimates };
        OptionChanges[option](changed);

        var baseline = DatasetLoader.Load(new DatasetOptions { Districts = districts, Estimates = estimates }).Version;

        Assert.NotEqual(baseline, DatasetLoader.Load(changed).Version);
        Assert.Equal(baseline, DatasetLoader.Load(new DatasetOptions { Districts = districts, Estimates = estimates }).Version);
    }
}
