using System.Globalization;
using BenchmarkDotNet.Attributes;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using TileServer.Core.Sample;

namespace TileServer.Benchmarks.Index;

/// <summary>
/// Looking up all 94,922 populated places of Peru on the cleaned district coverage, single thread, per lookup.
/// Baseline in the same run: an NTS <see cref="STRtree{T}"/> over district envelopes and an
/// <see cref="IndexedPointInAreaLocator"/> per district (the usual NTS recipe).
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*LookupBenchmarks*'
/// Reads the Peru data where <see cref="PeruData"/> finds it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class LookupBenchmarks
{
    private const int Places = 94_922;

    private DistrictLocator _locator = null!;
    private NtsBaseline _baseline = null!;
    private double[] _lons = [];
    private double[] _lats = [];

    [GlobalSetup]
    public void Load()
    {
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(PeruData.File("districts.shp"));
        var codes = features.Select(f => (string)f.Attributes["UBIGEO"]).ToArray();
        var result = CoverageCleaner.Clean([.. features.Select(f => f.Geometry)], codes, CoverageCleaningOptions.Default);
        Geometry[] cleaned = [.. result.Districts];
        _locator = DistrictLocator.Build(result.Topology);
        _baseline = new NtsBaseline(cleaned);
        var rows = File.ReadLines(PeruData.File("populated_places.csv")).Skip(1).Select(line => line.Split(',')).ToArray();
        _lats = [.. rows.Select(f => double.Parse(f[^2], CultureInfo.InvariantCulture))];
        _lons = [.. rows.Select(f => double.Parse(f[^1], CultureInfo.InvariantCulture))];
        if (_lons.Length != Places)
        {
            throw new InvalidDataException($"expected {Places} populated places, read {_lons.Length}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Places)]
    public int StrTreeAndIndexedLocators()
    {
        var sum = 0;
        for (var i = 0; i < _lons.Length; i++)
        {
            sum += _baseline.Locate(_lons[i], _lats[i]);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Places)]
    public int Engine()
    {
        var sum = 0;
        for (var i = 0; i < _lons.Length; i++)
        {
            sum += _locator.LocateCovering(_lons[i], _lats[i]).District;
        }

        return sum;
    }
}

/// <summary>
/// The same lookup on a generated country of 100,000 districts (<see cref="SampleCountryGenerator"/>, seed 1),
/// 100,000 uniformly random points over its box.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*LookupScaleBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
public class LookupScaleBenchmarks
{
    private const int Points = 100_000;

    private DistrictLocator _locator = null!;
    private double[] _xs = [];
    private double[] _ys = [];

    [GlobalSetup]
    public void Generate()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tileserver-lookup-scale-" + Guid.NewGuid().ToString("N"));
        try
        {
            var result = SampleCountryGenerator.Generate(new SampleCountryOptions { DistrictCount = 100_000, Seed = 1, OutputDirectory = folder });
            Geometry[] districts = [.. NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(result.ShapefilePath).Select(f => f.Geometry)];
            _locator = DistrictLocator.Build(CoverageTopology.FromCoverage(districts) ?? throw new InvalidDataException("the generated country is not a coverage"));
            var box = new Envelope();
            foreach (var district in districts)
            {
                box.ExpandToInclude(district.EnvelopeInternal);
            }

            var random = new Random(1);
            _xs = [.. Enumerable.Range(0, Points).Select(_ => box.MinX + (random.NextDouble() * box.Width))];
            _ys = [.. Enumerable.Range(0, Points).Select(_ => box.MinY + (random.NextDouble() * box.Height))];
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public int Engine100k()
    {
        var sum = 0;
        for (var i = 0; i < _xs.Length; i++)
        {
            sum += _locator.LocateCovering(_xs[i], _ys[i]).District;
        }

        return sum;
    }
}

/// <summary>R-tree over district envelopes, then each candidate's indexed point-in-area locator.</summary>
internal sealed class NtsBaseline
{
    private readonly STRtree<int> _tree = new();
    private readonly IndexedPointInAreaLocator[] _locators;

    public NtsBaseline(Geometry[] districts)
    {
        _locators = [.. districts.Select(d => new IndexedPointInAreaLocator(d))];
        for (var k = 0; k < districts.Length; k++)
        {
            _tree.Insert(districts[k].EnvelopeInternal, k);
        }

        _tree.Build();
        foreach (var locator in _locators)
        {
            // Builds each locator's lazy interval index now rather than inside the measurement.
            locator.Locate(new Coordinate(0, 0));
        }
    }

    public int Locate(double x, double y)
    {
        var point = new Coordinate(x, y);
        foreach (var k in _tree.Query(new Envelope(point)))
        {
            if (_locators[k].Locate(point) != Location.Exterior)
            {
                return k;
            }
        }

        return -1;
    }
}
