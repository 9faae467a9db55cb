using System.Globalization;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;

namespace TileServer.Benchmarks.Aggregation;

/// <summary>
/// The raw Peru districts (slightly overlapping, not yet a clean coverage) joined to poverty.csv, read straight with
/// NetTopologySuite.IO.Esri.Shapefile from ../shared/geodata/peru beside the repository (or TILESERVER_PERU_DATA).
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

    public static (List<AggregationDistrict> Districts, Dictionary<string, IReadOnlyList<double?>> Columns) Load()
    {
        var folder = Folder();
        var lines = File.ReadAllLines(Path.Combine(folder, "poverty.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], StringComparer.Ordinal);
        string[] numeric = ["poblacion", "pobreza_pct", "pobreza_extrema_pct", "idh", "vulnerabilidad_alimentaria"];

        var districts = new List<AggregationDistrict>();
        var columns = numeric.ToDictionary(c => c, _ => new List<double?>());
        foreach (var feature in NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(Path.Combine(folder, "districts.shp")))
        {
            var code = (string)feature.Attributes["UBIGEO"];
            districts.Add(new AggregationDistrict(code, (string)feature.Attributes["NOMBDIST"], feature.Geometry));
            rows.TryGetValue(code, out var row);
            foreach (var column in numeric)
            {
                var text = row?[Array.IndexOf(header, column)];
                columns[column].Add(string.IsNullOrEmpty(text) ? null : double.Parse(text, CultureInfo.InvariantCulture));
            }
        }

        return (districts, columns.ToDictionary(c => c.Key, c => (IReadOnlyList<double?>)c.Value));
    }

    /// <summary>The dissolved polygon of the districts whose UBIGEO starts with <paramref name="prefix"/>.</summary>
    public static Geometry Dissolve(IEnumerable<AggregationDistrict> districts, string prefix) =>
        NetTopologySuite.Operation.Union.UnaryUnionOp.Union(districts.Where(d => d.Code.StartsWith(prefix, StringComparison.Ordinal)).Select(d => d.Geometry).ToList());
}
