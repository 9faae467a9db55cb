using System.Net;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Search;

[Collection(SampleCollection.Name)]
public class SampleSearchApiTests(SampleServerFixture sample)
{
    [Fact]
    public async Task A_search_answers_units_with_parents_and_the_box_to_fly_to()
    {
        using var response = await sample.Client.GetAsync("/v1/search?q=anyau");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("anyau", json.RootElement.GetProperty("query").GetString());
        var first = json.RootElement.GetProperty("results")[0];
        Assert.Equal("ÁNYAU", first.GetProperty("name").GetString());
        Assert.Equal("district", first.GetProperty("level").GetString());
        Assert.Equal("exact", first.GetProperty("match").GetString());
        var code = first.GetProperty("code").GetString()!;
        var unit = sample.Snapshot.Districts.Find(code)!;
        Assert.Equal(unit.ProvinceCode, first.GetProperty("province").GetProperty("code").GetString());
        Assert.Equal(sample.Snapshot.Provinces.Find(unit.ProvinceCode!)!.Name, first.GetProperty("province").GetProperty("name").GetString());
        Assert.Equal(sample.Snapshot.Departments.Find(unit.DepartmentCode!)!.Name, first.GetProperty("department").GetProperty("name").GetString());
        var bbox = first.GetProperty("bbox").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var envelope = unit.Geometry.EnvelopeInternal;
        Assert.Equal([envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY], bbox, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task Departments_and_provinces_are_found_too_and_limit_caps_the_answer()
    {
        var department = sample.Snapshot.Departments.Units[0];

        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync($"/v1/search?q={Uri.EscapeDataString(department.Name.ToLowerInvariant())}&limit=1"));

        var result = Assert.Single(json.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("department", result.GetProperty("level").GetString());
        Assert.Equal(department.Code, result.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("department").ValueKind);
    }

    [Fact]
    public async Task No_match_is_an_empty_list()
    {
        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync("/v1/search?q=zzzzzz"));

        Assert.Empty(json.RootElement.GetProperty("results").EnumerateArray());
    }

    [Theory]
    [InlineData("/v1/search", "'q'")]
    [InlineData("/v1/search?q=", "'q'")]
    [InlineData("/v1/search?q=%20%20", "'q'")]
    [InlineData("/v1/search?q=lima&limit=0", "'limit'")]
    [InlineData("/v1/search?q=lima&limit=51", "'limit'")]
    [InlineData("/v1/search?q=lima&limit=ten", "'limit'")]
    [InlineData("/v1/search?q=lima&limit=-1", "'limit'")]
    public async Task Bad_parameters_are_problems_naming_the_parameter(string path, string parameter)
    {
        using var response = await sample.Client.GetAsync(path);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(parameter, problem.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_query_longer_than_100_characters_is_a_problem()
    {
        using var response = await sample.Client.GetAsync("/v1/search?q=" + new string('a', 101));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("100", problem.Detail, StringComparison.Ordinal);
    }
}
