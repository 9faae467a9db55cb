using System.Globalization;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// The raw Peru district polygons (which overlap slightly and leave sliver gaps: not yet a clean coverage) joined to
/// poverty.csv, read directly with NetTopologySuite.IO.Esri.Shapefile until the project's loader lands.
/// </summary>
internal static class PeruDistricts
{
    private static readonly Lazy<(IReadOnlyList<AggregationDistrict> Districts, Dictionary<string, IReadOnlyList<double?>> Columns)> Data = new(Load);
    private static readonly Lazy<DistrictAggregator> Built = new(() => DistrictAggregator.Build(Data.Value.Districts, Data.Value.Columns));

    public static IReadOnlyList<AggregationDistrict> Districts => Data.Value.Districts;

    public static IReadOnlyDictionary<string, IReadOnlyList<double?>> Columns => Data.Value.Columns;

    public static DistrictAggregator Aggregator => Built.Value;

    private static (IReadOnlyList<AggregationDistrict>, Dictionary<string, IReadOnlyList<double?>>) Load()
    {
        var lines = File.ReadAllLines(PeruData.File("poverty.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], StringComparer.Ordinal);
        string[] numeric = ["poblacion", "pobreza_pct", "pobreza_extrema_pct", "idh", "vulnerabilidad_alimentaria"];

        var districts = new List<AggregationDistrict>();
        var columns = numeric.ToDictionary(c => c, _ => new List<double?>());
        foreach (var feature in NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(PeruData.File("districts.shp")))
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

    /// <summary>The dissolved polygon of the districts whose code starts with <paramref name="prefix"/>.</summary>
    public static Geometry Dissolve(string prefix) =>
        NetTopologySuite.Operation.Union.UnaryUnionOp.Union(Districts.Where(d => d.Code.StartsWith(prefix, StringComparison.Ordinal)).Select(d => d.Geometry).ToList());
}
