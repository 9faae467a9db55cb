using System.Globalization;
using NetTopologySuite.IO.Esri;

namespace TileServer.Core.Tests.Targeting;

/// <summary>
/// Peru's districts as <c>poverty.csv</c> gives them, restricted to the codes of the shapefile's polygons, with
/// provinces and departments aggregated from them (population summed; a rate is the population-weighted mean over the
/// districts that have both), read without any of the server's code.
/// </summary>
public sealed class PeruOracle
{
    private PeruOracle(IReadOnlyList<Unit> districts)
    {
        Districts = districts;
        Provinces = Aggregate(districts, 4);
        Departments = Aggregate(districts, 2);
    }

    public IReadOnlyList<Unit> Districts { get; }

    public IReadOnlyList<Unit> Provinces { get; }

    public IReadOnlyList<Unit> Departments { get; }

    /// <summary>The units with a population above zero and a value of <paramref name="indicator"/>, in code order.</summary>
    public List<Unit> WithData(IEnumerable<Unit> units, string indicator) =>
        [.. units.Where(u => u.Population is > 0 && u.Rates.ContainsKey(indicator)).OrderBy(u => u.Code, StringComparer.Ordinal)];

    /// <param name="folder">The Peru data folder (<c>../shared/geodata/peru</c>).</param>
    public static PeruOracle Read(string folder)
    {
        var codes = Shapefile.ReadAllFeatures(Path.Combine(folder, "districts.shp"))
            .Select(f => ((string)f.Attributes["UBIGEO"]).Trim()).ToHashSet(StringComparer.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(folder, "poverty.csv"));
        var header = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[0], StringComparer.Ordinal);
        var districts = new List<Unit>();
        foreach (var code in codes.Order(StringComparer.Ordinal))
        {
            if (!rows.TryGetValue(code, out var row))
            {
                districts.Add(new Unit(code, null, new Dictionary<string, double>()));
                continue;
            }

            double? Cell(string column) => row[Array.IndexOf(header, column)] is { Length: > 0 } text ? double.Parse(text, CultureInfo.InvariantCulture) : null;
            var rates = new Dictionary<string, double>();
            foreach (var column in new[] { "pobreza_pct", "pobreza_extrema_pct", "idh" })
            {
                if (Cell(column) is { } value)
                {
                    rates[column] = value;
                }
            }

            districts.Add(new Unit(code, Cell("poblacion"), rates));
        }

        return new PeruOracle(districts);
    }

    private static List<Unit> Aggregate(IReadOnlyList<Unit> districts, int prefix) =>
    [
        .. districts.GroupBy(d => d.Code[..prefix]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var withPopulation = g.Where(d => d.Population is not null).ToList();
            var rates = new Dictionary<string, double>();
            foreach (var column in new[] { "pobreza_pct", "pobreza_extrema_pct", "idh" })
            {
                var both = withPopulation.Where(d => d.Rates.ContainsKey(column)).ToList();
                var weights = both.Sum(d => d.Population!.Value);
                if (weights > 0)
                {
                    rates[column] = both.Sum(d => d.Rates[column] * d.Population!.Value) / weights;
                }
            }

            return new Unit(g.Key, withPopulation.Count > 0 ? withPopulation.Sum(d => d.Population!.Value) : null, rates);
        }),
    ];

    public sealed record Unit(string Code, double? Population, IReadOnlyDictionary<string, double> Rates)
    {
        public double Rate(string indicator) => Rates[indicator];

        /// <summary>Poor persons: a percentage of the population.</summary>
        public double Poor(string indicator) => Rates[indicator] / 100 * Population!.Value;
    }
}
