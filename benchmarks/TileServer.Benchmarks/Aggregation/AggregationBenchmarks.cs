using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Geodesy;

namespace TileServer.Benchmarks.Aggregation;

/// <summary>
/// Issue 6's three queries on Peru's cleaned district coverage, as the server builds it (<see cref="DatasetLoader"/>): Lima department's dissolved polygon (goal ≤ 60 ms), the whole
/// country box (≤ 30 ms) and a 50 km circle around Cusco (≤ 3.5 ms); each against <see cref="IndexedOverlayBaseline"/>
/// (R-tree plus an OverlayNG intersection per candidate) in the same run.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class AggregationBenchmarks
{
    private const double CuscoLon = -71.978, CuscoLat = -13.532, CuscoRadiusKm = 50;
    private const double MinLon = -81.5, MinLat = -18.5, MaxLon = -68.5, MaxLat = 0.1;

    private DistrictAggregator _aggregator = null!;
    private IndexedOverlayBaseline _baseline = null!;
    private Geometry _lima = null!;
    private Geometry _countryBox = null!;
    private Geometry _cuscoCircle = null!;

    [GlobalSetup]
    public void Setup()
    {
        var snapshot = PeruAggregationData.Load();
        _aggregator = snapshot.Aggregator;
        var population = snapshot.Districts.Columns.Select((c, i) => (c, i)).Single(c => c.c.Name == "poblacion").i;
        _baseline = new IndexedOverlayBaseline(
            [.. snapshot.Districts.Units.Select(u => new AggregationDistrict(u.Code, u.Name, u.Geometry))],
            [.. snapshot.Districts.Units.Select(u => u.Values[population] as double?)]);
        _lima = snapshot.Departments.Find("15")!.Geometry;
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        _countryBox = factory.ToGeometry(new Envelope(MinLon, MaxLon, MinLat, MaxLat));
        _cuscoCircle = GeodesicCircle.Create(factory, CuscoLon, CuscoLat, CuscoRadiusKm * 1000);
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Lima")]
    public double LimaBaseline() => _baseline.Population(_lima);

    [Benchmark, BenchmarkCategory("Lima")]
    public AggregationResult LimaDepartment() => _aggregator.Aggregate(_lima);

    [Benchmark(Baseline = true), BenchmarkCategory("Country")]
    public double CountryBoxBaseline() => _baseline.Population(_countryBox);

    [Benchmark, BenchmarkCategory("Country")]
    public AggregationResult CountryBox() => _aggregator.AggregateBox(MinLon, MinLat, MaxLon, MaxLat);

    [Benchmark(Baseline = true), BenchmarkCategory("Cusco")]
    public double CuscoCircleBaseline() => _baseline.Population(_cuscoCircle);

    [Benchmark, BenchmarkCategory("Cusco")]
    public AggregationResult CuscoCircle50Km() => _aggregator.AggregateCircle(CuscoLon, CuscoLat, CuscoRadiusKm);
}
