using TileServer.Core.Dataset;

namespace TileServer.Benchmarks.Aggregation;

/// <summary>
/// Peru as the server loads it: <see cref="DatasetLoader.Load(DatasetOptions)"/> on <c>districts.shp</c> and <c>poverty.csv</c> from
/// ../shared/geodata/peru beside the repository (or TILESERVER_PERU_DATA), with the coverage cleaned.
/// </summary>
internal static class PeruAggregationData
{
    public static string Folder()
    {
        var overridden = Environment.GetEnvironmentVariable("TILESERVER_PERU_DATA");
        if (!string.IsNullOrEmpty(overridden))
        {
            return overridden;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "geodata", "peru"));
            }
        }

        throw new DirectoryNotFoundException("../shared/geodata/peru not found beside the repository; set TILESERVER_PERU_DATA.");
    }

    public static DatasetSnapshot Load() => DatasetLoader.Load(new DatasetOptions
    {
        Districts = Path.Combine(Folder(), "districts.shp"),
        Estimates = Path.Combine(Folder(), "poverty.csv"),
    });
}
