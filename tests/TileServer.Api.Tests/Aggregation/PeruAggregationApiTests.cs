using System.Text.Json;
using TileServer.Api.Tests.Support;
using TileServer.Core.Dataset;
using static TileServer.Api.Tests.Aggregation.AggregateClient;
using TileServer.Core.Model;

namespace TileServer.Api.Tests.Aggregation;

/// <summary><c>/v1/aggregate</c> over Peru's cleaned coverage: issue 6's queries through HTTP.</summary>
[Collection(PeruCollection.Name)]
public class PeruAggregationApiTests(PeruServerFixture peru)
{
    private DatasetSnapshot Snapshot => peru.Snapshot;

    private double Population(Func<AdminUnit, bool> which)
    {
        var index = Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("poblacion");
        return Snapshot.Districts.Units.Where(which).Sum(u => u.Values[index] as double? ?? 0);
    }

    [PeruFact]
    public async Task Lima_department_feature_gives_back_lima_population()
    {
        var lima = await peru.Client.GetStringAsync("/v1/departments/15");

        var result = await PostOkAsync(peru.Client, lima);

        var expected = Population(u => u.DepartmentCode == "15");
        Assert.Equal("15", result.GetProperty("id").GetString());
        Assert.Equal(171, result.GetProperty("districts").GetInt32());
        Assert.Equal(expected, Number(result, "population"), expected * 1e-4);
    }

    /// <summary>Zonal statistics: all 25 departments in one FeatureCollection, one result each, in order.</summary>
    [PeruFact]
    public async Task All_departments_in_one_collection_give_each_its_population()
    {
        var features = new List<string>();
        foreach (var department in Snapshot.Departments.Units)
        {
            features.Add(await peru.Client.GetStringAsync($"/v1/departments/{department.Code}"));
        }

        var results = (await PostOkAsync(peru.Client, $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}"""))
            .GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(Snapshot.Departments.Units.Count, results.Count);
        for (var i = 0; i < results.Count; i++)
        {
            var code = Snapshot.Departments.Units[i].Code;
            var expected = Population(u => u.DepartmentCode == code);
            Assert.Equal(code, results[i].GetProperty("id").GetString());
            Assert.Equal(code, results[i].GetProperty("properties").GetProperty("code").GetString());
            Assert.Equal(expected, Number(results[i], "population"), expected * 1e-4);
        }
    }

    [PeruFact]
    public async Task Whole_country_box_gives_the_total_population()
    {
        var result = await GetOkAsync(peru.Client, "?bbox=-82,-19,-68,0.5");

        var total = Population(_ => true);
        Assert.Equal(total, Number(result, "population"), total * 1e-9);
        Assert.Equal(1891, result.GetProperty("districts").GetInt32());
        var index = Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("poblacion");
        Assert.Equal(Snapshot.Districts.Units.Count(u => u.Values[index] is null), result.GetProperty("districtsWithoutPopulation").GetInt32());
    }

    [PeruFact]
    public async Task Ocean_box_gives_no_districts_and_zero_coverage()
    {
        var result = await GetOkAsync(peru.Client, "?bbox=-85,-15,-82,-10");

        Assert.Equal(0, result.GetProperty("districts").GetInt32());
        Assert.Equal(0, Number(result, "coverage"));
        Assert.Equal(0, Number(result, "population"));
        Assert.Equal(JsonValueKind.Null, result.GetProperty("estimates").GetProperty("pobreza_pct").ValueKind);
    }

    [PeruFact]
    public async Task Cusco_circle_holds_the_city_of_cusco_whole()
    {
        var result = await GetOkAsync(peru.Client, "?lat=-13.532&lon=-71.978&radiusKm=50&breakdown=true");

        var cusco = result.GetProperty("breakdown").EnumerateArray().Single(s => s.GetProperty("code").GetString() == "080101");
        Assert.Equal(1, cusco.GetProperty("fraction").GetDouble(), 1e-12);
        Assert.Equal(57, result.GetProperty("districts").GetInt32());
        Assert.Equal(1, Number(result, "coverage"), 1e-9);
        Assert.True(result.GetProperty("derivedCounts").GetProperty("pobres").GetDouble() < Number(result, "population"));
    }
}
