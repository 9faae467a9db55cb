using TileServer.Core.Model;
using TileServer.Core.Ranking;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Ranking;

public class UnitRanksTests
{
    private static readonly string[] Rate = ["pobreza_pct"];

    // Department 01: provinces 0101 (three districts) and 0102 (one); department 02: one district.
    private static readonly AdminLayer Districts = MemoryLayers.Make(AdminLevel.District, Rate,
        ("010101", "A", [30]), ("010102", "B", [50]), ("010103", "C", [30]), ("010201", "D", [10]), ("020101", "E", [70]), ("020102", "F", [null]));

    private static readonly UnitRanks Ranks = UnitRanks.Build(
        [Districts], ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, [.. Districts.Units.Select(u => u.Code)]));

    [Fact]
    public void Country_ranks_count_units_above_and_below_with_ties_sharing_a_rank()
    {
        // Values 30, 50, 30, 10, 70 (F has none): from the highest 70=1, 50=2, 30=3 (twice), 10=5.
        Assert.Equal(new Rank(3, 2, 5), Ranks.InCountry(AdminLevel.District, "pobreza_pct", 0));
        Assert.Equal(new Rank(2, 4, 5), Ranks.InCountry(AdminLevel.District, "pobreza_pct", 1));
        Assert.Equal(new Rank(3, 2, 5), Ranks.InCountry(AdminLevel.District, "pobreza_pct", 2));
        Assert.Equal(new Rank(5, 1, 5), Ranks.InCountry(AdminLevel.District, "pobreza_pct", 3));
        Assert.Equal(new Rank(1, 5, 5), Ranks.InCountry(AdminLevel.District, "pobreza_pct", 4));
    }

    [Fact]
    public void Ranks_within_a_parent_compare_only_its_units()
    {
        Assert.Equal(new Rank(2, 2, 4), Ranks.Within(AdminLevel.District, "pobreza_pct", 0, AdminLevel.Department));
        Assert.Equal(new Rank(1, 3, 3), Ranks.Within(AdminLevel.District, "PoBreZa_PcT", 1, AdminLevel.Province));
        Assert.Equal(new Rank(1, 1, 1), Ranks.Within(AdminLevel.District, "pobreza_pct", 3, AdminLevel.Province));
        Assert.Equal(new Rank(1, 1, 1), Ranks.Within(AdminLevel.District, "pobreza_pct", 4, AdminLevel.Department));
    }

    [Fact]
    public void A_unit_without_a_value_has_no_rank_and_is_not_counted()
    {
        Assert.Null(Ranks.InCountry(AdminLevel.District, "pobreza_pct", 5));
        Assert.Null(Ranks.InCountry(AdminLevel.District, "no_such_column", 0));
        Assert.Null(Ranks.InCountry(AdminLevel.Province, "pobreza_pct", 0));
    }

    [Fact]
    public void A_parent_must_be_coarser()
    {
        Assert.Throws<ArgumentException>(() => Ranks.Within(AdminLevel.District, "pobreza_pct", 0, AdminLevel.District));
    }

    [Fact]
    public void Ranks_agree_with_counting_every_pair()
    {
        var random = new Random(3);
        var units = Enumerable.Range(0, 300)
            .Select(i => ($"{1 + (i % 7):D2}{1 + (i % 3):D2}{i % 100:D2}", $"U{i}", new double?[] { random.Next(0, 40) }))
            .DistinctBy(u => u.Item1).ToArray();
        var layer = MemoryLayers.Make(AdminLevel.District, Rate, units);
        var ranks = UnitRanks.Build([layer], ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, [.. layer.Units.Select(u => u.Code)]));

        for (var u = 0; u < layer.Units.Count; u++)
        {
            var value = layer.Number(u, 0)!.Value;
            var department = layer.Units[u].DepartmentCode;
            var peers = Enumerable.Range(0, layer.Units.Count).Where(p => layer.Units[p].DepartmentCode == department).Select(p => layer.Number(p, 0)!.Value).ToArray();
            var expected = new Rank(1 + peers.Count(p => p > value), 1 + peers.Count(p => p < value), peers.Length);
            Assert.Equal(expected, ranks.Within(AdminLevel.District, "pobreza_pct", u, AdminLevel.Department));
        }
    }
}
