using TileServer.Core.Ingest;
using TileServer.Core.Model;

namespace TileServer.Core.Join;

/// <summary>
/// Checks at load that every sum the server will ever form from the estimates is a finite double: a count column's
/// total, a rate times population (the numerator of a population-weighted mean) and a derived count. A CSV value of
/// <c>1e308</c> is a valid number, but the province holding it would sum to infinity, which no JSON answer can carry
/// (issue 18: <c>/v1/provinces/0101</c> answered 500).
/// </summary>
/// <remarks>
/// The bound is the sum of absolute values over every row of the table, which bounds every partial sum in any order
/// and over any subset of districts, each scaled by an areal fraction of at most 1: so if it is finite, no dissolve,
/// aggregate or tile sum can overflow. Thread safety: stateless.
/// </remarks>
public static class EstimateTotals
{
    /// <exception cref="DataFileException">A sum overflows; names the line where it does, the column and the value.</exception>
    public static void Check(EstimatesTable table, ColumnRoles roles)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(roles);
        var population = roles.PopulationIndex;
        for (var c = 0; c < table.Columns.Count; c++)
        {
            if (roles.IsCount(c))
            {
                Sum(table, c, -1, 1, $"column '{table.Columns[c].Name}'");
            }
            else if (roles.IsRate(c) && population >= 0)
            {
                Sum(table, c, population, 1, $"'{table.Columns[c].Name}' × '{table.Columns[population].Name}' (the population weighting)");
            }
        }

        if (population < 0)
        {
            return;
        }

        foreach (var derived in roles.DerivedCounts)
        {
            var rate = table.IndexOf(derived.RateColumn);
            if (rate >= 0)
            {
                Sum(table, rate, population, derived.Scale, $"the derived count '{derived.Name}'");
            }
        }
    }

    private static void Sum(EstimatesTable table, int column, int weight, double scale, string what)
    {
        var total = 0.0;
        foreach (var row in table.Rows)
        {
            if (row.Values[column] is not double value)
            {
                continue;
            }

            var term = Math.Abs(value * scale);
            if (weight >= 0)
            {
                if (row.Values[weight] is not double w)
                {
                    continue;
                }

                term *= Math.Abs(w);
            }

            total += term;
            if (!double.IsFinite(total))
            {
                throw new DataFileException(table.FilePath, $"line {row.LineNumber}: with {value:G6} here, the total of {what} overflows a double (beyond 1.8e308); no province, department or aggregate could be summed");
            }
        }
    }
}
