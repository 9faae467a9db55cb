using BenchmarkDotNet.Attributes;
using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;

namespace TileServer.Benchmarks.Coverage;

/// <summary>
/// Cleaning and measuring the Peru district layer. Baseline: building the planar arrangement alone (snap rounding and
/// noding through NTS, then face labelling), the step both public operations share.
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*CoverageCleaningBenchmarks*'
/// Reads TILESERVER_PERU_DATA, else ../shared/geodata/peru beside the repository.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 1, iterationCount: 5)]
public class CoverageCleaningBenchmarks
{
    private Geometry[] districts = [];
    private string[] codes = [];

    [GlobalSetup]
    public void Load()
    {
        var folder = Environment.GetEnvironmentVariable("TILESERVER_PERU_DATA") ?? FindPeru();
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(Path.Combine(folder, "districts.shp"));
        districts = [.. features.Select(f => f.Geometry)];
        codes = [.. features.Select(f => (string)f.Attributes["UBIGEO"])];
    }

    [Benchmark(Baseline = true)]
    public int Arrangement() => CoverageArrangement.Build(districts, CoverageQuality.DefaultGridScale).FaceCount;

    [Benchmark]
    public CoverageQualityReport Measure() => CoverageQuality.Measure(districts);

    [Benchmark]
    public CoverageCleaningReport Clean() => CoverageCleaner.Clean(districts, codes, CoverageCleaningOptions.Default).Report;

    private static string FindPeru()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "geodata", "peru"));
            }
        }

        throw new DirectoryNotFoundException("../shared/geodata/peru not found; set TILESERVER_PERU_DATA.");
    }
}
