using BenchmarkDotNet.Attributes;
using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Core.Search;

namespace TileServer.Benchmarks.Search;

/// <summary>
/// <c>/v1/search</c>'s engine on Peru's 2,112 units (1,891 districts, 196 provinces, 25 departments), per query, for
/// queries that stop early (many exact or prefix matches), scan every name (no match, rare infix) or fold accents.
/// Baseline in the same run: the obvious LINQ version (fold every name per query, filter, sort by match kind).
/// Goal: under 1 ms for any query. Run:
/// dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*SearchBenchmarks*'
/// Reads the Peru data where <see cref="PeruData"/> finds it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(warmupCount: 2, iterationCount: 7)]
public class SearchBenchmarks
{
    private readonly SearchHit[] _hits = new SearchHit[10];
    private UnitSearchIndex _index = null!;
    private (AdminLevel Level, int Unit, string Name)[] _units = [];

    [Params("a", "lima", "asuncion", "Ñuñoa", "san juan de lurigancho", "huaca", "xq", "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq")]
    public string Query { get; set; } = "";

    [GlobalSetup]
    public void Load()
    {
        var snapshot = DatasetLoader.Load(new DatasetOptions
        {
            Districts = PeruData.File("districts.shp"),
            Estimates = PeruData.File("poverty.csv"),
        });
        _index = snapshot.Search;
        _units = [.. new[] { snapshot.Departments, snapshot.Provinces, snapshot.Districts }
            .SelectMany(layer => layer.Units.Select((u, i) => (layer.Level, i, u.Name)))];
    }

    [Benchmark(Baseline = true)]
    public int FoldEveryNameWithLinq()
    {
        var query = UnitSearchIndex.Fold(Query);
        return _units
            .Select(u => (u.Level, u.Unit, Name: UnitSearchIndex.Fold(u.Name)))
            .Where(u => query.Length > 0 && u.Name.Contains(query, StringComparison.Ordinal))
            .OrderBy(u => u.Name == query ? 0 : u.Name.StartsWith(query, StringComparison.Ordinal) ? 1 : u.Name.Contains(" " + query, StringComparison.Ordinal) ? 2 : 3)
            .ThenBy(u => u.Level)
            .Take(10)
            .Count();
    }

    [Benchmark]
    public int UnitSearchIndex_Search() => _index.Search(Query, _hits);
}
