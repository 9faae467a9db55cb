using TileServer.Core.Model;

namespace TileServer.Core.Tests.Model;

public class ColumnRolesTests
{
    private static readonly EstimateColumn[] Columns =
    [
        new("departamento", ColumnKind.Text, 0),
        new("Poblacion", ColumnKind.Number, 0),
        new("hogares", ColumnKind.Number, 0),
        new("pobreza_pct", ColumnKind.Number, 0),
        new("idh", ColumnKind.Number, 0),
    ];

    [Fact]
    public void Population_is_always_a_count_and_other_numbers_are_rates_unless_named_counts()
    {
        var roles = ColumnRoles.Resolve(Columns, "poblacion", ["HOGARES"], []);

        Assert.Equal(1, roles.PopulationIndex);
        Assert.Equal(["Poblacion", "hogares"], roles.CountColumns);
        Assert.Equal(["pobreza_pct", "idh"], roles.RateColumns);
        Assert.False(roles.IsCount(0));
        Assert.False(roles.IsRate(0));
    }

    [Fact]
    public void Derived_counts_need_a_rate_column()
    {
        var roles = ColumnRoles.Resolve(Columns, "poblacion", ["hogares"], [new("pobres", "POBREZA_PCT"), new("x", "hogares"), new("y", "missing"), new("z", "departamento")]);

        Assert.Equal(["pobres"], roles.DerivedCounts.Select(d => d.Name));
    }

    [Fact]
    public void Without_a_numeric_population_column_the_index_is_minus_one()
    {
        var roles = ColumnRoles.Resolve(Columns, "departamento", [], []);

        Assert.Equal(-1, roles.PopulationIndex);
        Assert.Equal(["Poblacion", "hogares", "pobreza_pct", "idh"], roles.RateColumns);
    }
}
