using TileServer.Core.Dataset;

namespace TileServer.Benchmarks.Aggregation;

/// <summary>
/// Peru as the server loads it: <see cref="DatasetLoader.Load(DatasetOptions)"/> on <c>districts.shp</c> and
/// <c>poverty.csv</c> (located by <see cref="PeruData"/>), with the coverage cleaned and no tiles.
/// </summary>
internal static class PeruAggregationData
{
    public static DatasetSnapshot Load() => DatasetLoader.Load(new DatasetOptions
    {
        Districts = PeruData.File("districts.shp"),
        Estimates = PeruData.File("poverty.csv"),
    });
}
