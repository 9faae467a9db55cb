using BenchmarkDotNet.Attributes;
using NetTopologySuite.Geometries;
using NetTopologySuite.Noding;
using NetTopologySuite.Noding.Snapround;
using TileServer.Core.Coverage;

namespace TileServer.Benchmarks.Coverage;

/// <summary>
/// Cleaning and measuring the Peru district layer. Baseline: noding the layer's rings with NTS
/// <see cref="SnapRoundingNoder"/> on the 1e-7 degree grid, what the arrangement used before
/// <see cref="GridSnapRounder"/> replaced it; <c>Noding</c> is the same job done by the replacement, which
/// <c>Arrangement</c> (noding plus faces and labels), <c>Measure</c> and <c>Clean</c> build on.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*CoverageCleaningBenchmarks*'
/// Reads the Peru data where <see cref="PeruData"/> finds it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class CoverageCleaningBenchmarks
{
    private Geometry[] _districts = [];
    private string[] _codes = [];

    [GlobalSetup]
    public void Load()
    {
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(PeruData.File("districts.shp"));
        _districts = [.. features.Select(f => f.Geometry)];
        _codes = [.. features.Select(f => (string)f.Attributes["UBIGEO"])];
    }

    [Benchmark(Baseline = true)]
    public int NodingWithNtsSnapRoundingNoder()
    {
        var noder = new SnapRoundingNoder(new PrecisionModel(CoverageQuality.DefaultGridScale));
        noder.ComputeNodes([.. Rings().Select(r => (ISegmentString)new NodedSegmentString(r.Line.ToCoordinateArray(), r.District))]);
        return noder.GetNodedSubstrings().Count;
    }

    [Benchmark]
    public int Noding()
    {
        var rounder = new GridSnapRounder(CoverageQuality.DefaultGridScale);
        foreach (var (line, district) in Rings())
        {
            rounder.Add(line, district);
        }

        return rounder.Node().EdgeCount;
    }

    [Benchmark]
    public int Arrangement() => CoverageArrangement.Build(_districts, CoverageQuality.DefaultGridScale).FaceCount;

    [Benchmark]
    public CoverageQualityReport Measure() => CoverageQuality.Measure(_districts);

    [Benchmark]
    public CoverageCleaningReport Clean() => CoverageCleaner.Clean(_districts, _codes, CoverageCleaningOptions.Default).Report;

    private IEnumerable<(CoordinateSequence Line, int District)> Rings()
    {
        for (var d = 0; d < _districts.Length; d++)
        {
            foreach (var polygon in Enumerable.Range(0, _districts[d].NumGeometries).Select(_districts[d].GetGeometryN).OfType<Polygon>())
            {
                yield return (polygon.ExteriorRing.CoordinateSequence, d);
                foreach (var hole in polygon.InteriorRings)
                {
                    yield return (hole.CoordinateSequence, d);
                }
            }
        }
    }
}
