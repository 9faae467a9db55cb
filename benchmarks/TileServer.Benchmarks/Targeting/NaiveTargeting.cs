using TileServer.Core.Dataset;

namespace TileServer.Benchmarks.Targeting;

/// <summary>
/// The baseline: each rule computed the way a spreadsheet (or a first implementation) would, from the units' values
/// with LINQ: filter the units with data, sort them by the indicator, take the selection, sum it, then sort again by
/// poor per person for the bound. Same figures as <see cref="Core.Targeting.TargetingEngine"/>, no precomputation.
/// </summary>
internal sealed class NaiveTargeting(DatasetSnapshot snapshot)
{
    private readonly int _population = snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("poblacion");
    private readonly int _rate = snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("pobreza_pct");

    /// <summary>Coverage, leakage and efficiency of a threshold (<paramref name="top"/> &lt; 0) or top-N rule.</summary>
    public (double Coverage, double Leakage, double Efficiency) Evaluate(double threshold, int top)
    {
        var units = snapshot.Districts.Units
            .Where(u => u.Values[_population] is double p && p > 0 && u.Values[_rate] is double)
            .Select(u => (u.Code, Population: (double)u.Values[_population]!, Rate: (double)u.Values[_rate]! / 100))
            .ToList();
        var totalPoor = units.Sum(u => u.Rate * u.Population);
        var ranked = units.OrderByDescending(u => u.Rate).ThenBy(u => u.Code, StringComparer.Ordinal);
        var selected = (top >= 0 ? ranked.Take(top) : ranked.Where(u => u.Rate * 100 >= threshold)).ToList();
        var population = selected.Sum(u => u.Population);
        var poor = selected.Sum(u => u.Rate * u.Population);
        var bound = 0.0;
        var room = population;
        foreach (var unit in units.OrderByDescending(u => u.Rate))
        {
            var take = Math.Min(room, unit.Population);
            bound += take * unit.Rate;
            room -= take;
            if (room <= 0)
            {
                break;
            }
        }

        return (poor / totalPoor, (population - poor) / population, poor / Math.Max(bound, poor));
    }
}
