using TileServer.Core.Model;
using TileServer.Core.Search;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Search;

public class UnitSearchIndexTests
{
    private static readonly string[] Population = ["poblacion"];

    private static readonly AdminLayer[] Layers =
    [
        MemoryLayers.Make(AdminLevel.Department, Population, ("01", "AMAZONAS", [400_000]), ("15", "LIMA", [10_000_000])),
        MemoryLayers.Make(AdminLevel.Province, Population, ("0101", "CHACHAPOYAS", [50_000]), ("1501", "LIMA", [9_000_000])),
        MemoryLayers.Make(AdminLevel.District, Population,
            ("010101", "CHACHAPOYAS", [30_000]),
            ("010102", "ASUNCIÓN", [300]),
            ("150101", "LIMA", [400_000]),
            ("150132", "SAN JUAN DE LURIGANCHO", [1_100_000]),
            ("150135", "SAN MARTÍN DE PORRES", [700_000]),
            ("150140", "SANTIAGO DE SURCO", [330_000]),
            ("150112", "INDEPENDENCIA", [210_000]),
            ("150113", "JESÚS MARÍA", [70_000]),
            ("150141", "SURQUILLO", [90_000]),
            ("150120", "MAGDALENA DEL MAR", [60_000]),
            ("150199", "ÑUÑOA", [null])),
    ];

    private static readonly UnitSearchIndex Index = UnitSearchIndex.Build(Layers, "poblacion");

    [Theory]
    [InlineData("asuncion")]
    [InlineData("ASUNCION")]
    [InlineData("Asunción")]
    [InlineData("  asunción ")]
    public void Accents_and_case_do_not_matter(string query)
    {
        var hits = Search(query);

        Assert.Equal("ASUNCIÓN", Assert.Single(hits).Name);
    }

    [Fact]
    public void Ñ_matches_n()
    {
        Assert.Equal("ÑUÑOA", Assert.Single(Search("nunoa")).Name);
    }

    [Fact]
    public void Exact_names_come_first_coarser_levels_first_then_prefixes_then_word_prefixes_then_infixes()
    {
        var hits = Search("lima");

        Assert.Equal([("LIMA", AdminLevel.Department), ("LIMA", AdminLevel.Province), ("LIMA", AdminLevel.District)],
            hits.Take(3).Select(h => (h.Name, h.Level)));
        Assert.All(hits.Take(3), h => Assert.Equal(SearchMatch.Exact, h.Match));
    }

    [Fact]
    public void Prefix_matches_come_before_word_prefixes_and_infixes_larger_population_first()
    {
        var hits = Search("sur");

        // SURQUILLO starts with the query; SANTIAGO DE SURCO has a word that does; none contains it inside a word.
        Assert.Equal(["SURQUILLO", "SANTIAGO DE SURCO"], hits.Select(h => h.Name));
        Assert.Equal([SearchMatch.Prefix, SearchMatch.WordPrefix], hits.Select(h => h.Match));
    }

    [Fact]
    public void Infix_matches_are_found_last()
    {
        var hits = Search("dep");

        Assert.Equal("INDEPENDENCIA", Assert.Single(hits).Name);
        Assert.Equal(SearchMatch.Infix, hits[0].Match);
    }

    [Fact]
    public void Within_a_group_larger_population_comes_first()
    {
        var hits = Search("san");

        Assert.Equal(["SAN JUAN DE LURIGANCHO", "SAN MARTÍN DE PORRES", "SANTIAGO DE SURCO"], hits.Select(h => h.Name));
    }

    [Fact]
    public void Punctuation_and_spaces_fold_to_single_spaces()
    {
        Assert.Equal("SAN JUAN DE LURIGANCHO", Assert.Single(Search("san-juan   de")).Name);
        Assert.Equal("jesus maria", UnitSearchIndex.Fold("  Jesús—María "));
    }

    [Fact]
    public void The_limit_is_the_size_of_the_results_span()
    {
        Span<SearchHit> two = new SearchHit[2];

        var found = Index.Search("a", two);

        Assert.Equal(2, found);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("--")]
    [InlineData("zzz")]
    public void Nothing_matches_an_empty_or_unknown_query(string query)
    {
        Assert.Empty(Search(query));
    }

    [Fact]
    public void A_query_longer_than_the_limit_is_cut_not_rejected()
    {
        Assert.Empty(Search(new string('a', 10_000)));
    }

    private static List<(string Name, AdminLevel Level, SearchMatch Match)> Search(string query)
    {
        var hits = new SearchHit[20];
        var found = Index.Search(query, hits);
        return [.. hits.Take(found).Select(h => (Layers[(int)h.Level].Units[h.Unit].Name, h.Level, h.Match))];
    }
}
