using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Join;

/// <summary>
/// The overflow rule of <see cref="EstimateTotals"/>: a load fails when a sum the server may form overflows a double,
/// and only then. Each table is built by hand so that exactly one sum overflows (1e308 + 1e308 is +Infinity, while
/// 1e300 + 1e300 and 1e150 × 1e150 stay finite), and the message must name that sum and the line where it overflows.
/// </summary>
public class EstimateTotalsTests
{
    private const string File = "estimates.csv";

    private static EstimatesTable Table(string[] columns, params double?[][] rows) => new()
    {
        FilePath = File,
        KeyColumn = "ubigeo",
        Columns = [.. columns.Select(c => new EstimateColumn(c, ColumnKind.Number, 0))],
        Rows = [.. rows.Select((r, i) => new EstimateRow($"01010{i + 1}", i + 2, [.. r.Cast<object?>()]))],
        ByKey = new Dictionary<string, EstimateRow>(),
    };

    private static ColumnRoles Roles(EstimatesTable table, string[]? counts = null, params DerivedCount[] derived) =>
        ColumnRoles.Resolve(table.Columns, "poblacion", counts ?? [], derived);

    [Fact]
    public void A_count_column_whose_total_overflows_fails_naming_the_column_and_the_line()
    {
        var table = Table(["poblacion", "hogares"], [1, 1e308], [1, 1e308]);

        var e = Assert.Throws<DataFileException>(() => EstimateTotals.Check(table, Roles(table, ["hogares"])));

        Assert.Equal(File, e.FilePath);
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("column 'hogares'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_count_total_is_unweighted_so_large_counts_and_large_populations_that_fit_pass()
    {
        // Summed alone each column is at most 2e300; multiplied together they would overflow.
        var table = Table(["poblacion", "hogares"], [1e300, 1e300], [1e300, 1e300]);

        EstimateTotals.Check(table, Roles(table, ["hogares"]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_rate_times_population_that_overflows_fails_naming_both_columns(int populationPosition)
    {
        string[] columns = populationPosition == 0 ? ["poblacion", "pobreza_pct"] : ["pobreza_pct", "poblacion"];
        double?[] Row(double population, double rate) => populationPosition == 0 ? [population, rate] : [rate, population];
        var table = Table(columns, Row(1e200, 1e108), Row(1e200, 1e108), Row(1, 1));

        var e = Assert.Throws<DataFileException>(() => EstimateTotals.Check(table, Roles(table)));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("'pobreza_pct' × 'poblacion'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_population_column_rates_are_never_summed_so_huge_rates_load()
    {
        var table = Table(["pobreza_pct", "idh"], [1e308, 1e308], [1e308, 1e308]);

        EstimateTotals.Check(table, Roles(table, derived: new DerivedCount("pobres", "pobreza_pct", 1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_derived_count_scaled_beyond_its_rate_times_population_fails_naming_the_derived_count(int populationPosition)
    {
        // 1e150 × 1e150 = 1e300 twice is finite; scaled by 1e8 the derived count's total is 2e308.
        string[] columns = populationPosition == 0 ? ["poblacion", "tasa"] : ["tasa", "poblacion"];
        var table = Table(columns, [1e150, 1e150], [1e150, 1e150]);

        var e = Assert.Throws<DataFileException>(() => EstimateTotals.Check(table, Roles(table, derived: new DerivedCount("personas", "tasa", 1e8))));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("the derived count 'personas'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_derived_count_at_the_default_scale_that_fits_passes()
    {
        var table = Table(["poblacion", "tasa"], [1e150, 1e150], [1e150, 1e150]);

        EstimateTotals.Check(table, Roles(table, derived: new DerivedCount("personas", "tasa")));
    }

    [Fact]
    public void Null_arguments_are_rejected_by_name()
    {
        var table = Table(["poblacion"], [1]);

        Assert.Equal("table", Assert.Throws<ArgumentNullException>(() => EstimateTotals.Check(null!, Roles(table))).ParamName);
        Assert.Equal("roles", Assert.Throws<ArgumentNullException>(() => EstimateTotals.Check(table, null!)).ParamName);
    }
}
