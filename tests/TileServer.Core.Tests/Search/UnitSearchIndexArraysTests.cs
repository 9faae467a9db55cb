using TileServer.Core.Model;
using TileServer.Core.Search;

namespace TileServer.Core.Tests.Search;

/// <summary><see cref="UnitSearchIndex.FromArrays"/>: the arrays a snapshot file stores give the same index, and arrays that are not one are refused.</summary>
public sealed class UnitSearchIndexArraysTests
{
    private static readonly AdminLayer[] Layers = [Layer(AdminLevel.Department, "LIMA", "CUSCO"), Layer(AdminLevel.Province, "LIMA", "CAÑETE", "URUBAMBA"), Layer(AdminLevel.District, "SAN JOSÉ", "ÑUÑOA", "SANTA ANA", "LIMA")];

    [Fact]
    public void The_arrays_of_an_index_give_an_index_that_answers_the_same()
    {
        var built = UnitSearchIndex.Build(Layers, "poblacion");
        var (names, starts, ends, levels, units) = built.ToArrays();

        var copy = UnitSearchIndex.FromArrays([.. names], [.. starts], [.. ends], [.. levels], [.. units], [2, 3, 4]);

        var (want, got) = (new SearchHit[10], new SearchHit[10]);
        foreach (var query in (string[])["lima", "san", "a", "nunoa", "ÑUÑOA", "ete", "x"])
        {
            var (a, b) = (built.Search(query, want), copy.Search(query, got));
            Assert.Equal(want[..a], got[..b]);
        }
    }

    [Fact]
    public void Arrays_that_point_outside_the_names_or_the_units_are_refused()
    {
        var (names, starts, ends, levels, units) = UnitSearchIndex.Build(Layers, "poblacion").ToArrays();

        Assert.Throws<InvalidDataException>(() => UnitSearchIndex.FromArrays(names, starts, ends, levels, units, [2, 3, 3]));
        Assert.Throws<InvalidDataException>(() => UnitSearchIndex.FromArrays(names[..^2], starts, ends, levels, units, [2, 3, 4]));
        Assert.Throws<InvalidDataException>(() => UnitSearchIndex.FromArrays(names, starts[1..], ends, levels, units, [2, 3, 4]));
        var shifted = starts.ToArray();
        shifted[1]++;
        Assert.Throws<InvalidDataException>(() => UnitSearchIndex.FromArrays(names, shifted, ends, levels, units, [2, 3, 4]));
        var badLevel = levels.ToArray();
        badLevel[0] = (AdminLevel)7;
        Assert.Throws<InvalidDataException>(() => UnitSearchIndex.FromArrays(names, starts, ends, badLevel, units, [2, 3, 4]));
    }

    private static AdminLayer Layer(AdminLevel level, params string[] names) => new(
        level,
        [new EstimateColumn("poblacion", ColumnKind.Number, 0)],
        [.. names.Select((name, i) => new AdminUnit
        {
            Level = level,
            Code = $"{(int)level}{i:D2}",
            Name = name,
            Geometry = NetTopologySuite.Geometries.Polygon.Empty,
            SourceGeometry = NetTopologySuite.Geometries.Polygon.Empty,
            Values = [1000.0 * (i + 1)],
            HasEstimates = true,
            AreaKm2 = 1,
        })]);
}
