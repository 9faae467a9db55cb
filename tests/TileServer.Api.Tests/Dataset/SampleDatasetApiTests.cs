using System.Net;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Dataset;

/// <summary>The server with no configuration at all serves the embedded sample.</summary>
[Collection(SampleCollection.Name)]
public class SampleDatasetApiTests(SampleServerFixture sample)
{
    [Fact]
    public async Task Serves_the_embedded_sample_with_no_configuration()
    {
        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync("/v1/dataset"));
        var root = json.RootElement;

        Assert.Equal(300, root.GetProperty("counts").GetProperty("districts").GetInt32());
        Assert.Equal(sample.Snapshot.Provinces.Units.Count, root.GetProperty("counts").GetProperty("provinces").GetInt32());
        Assert.Equal(300, root.GetProperty("join").GetProperty("matched").GetInt32());
        Assert.EndsWith("districts.shp", root.GetProperty("ingest").GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains(root.GetProperty("columns").EnumerateArray(), c => c.GetProperty("name").GetString() == "pobreza_pct" && c.GetProperty("type").GetString() == "number");
    }

    [Fact]
    public async Task Every_district_has_a_feature_whose_parents_exist()
    {
        foreach (var district in sample.Snapshot.Districts.Units.Take(25))
        {
            using var response = await sample.Client.GetAsync($"/v1/districts/{district.Code}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var properties = json.RootElement.GetProperty("properties");
            var province = properties.GetProperty("province").GetProperty("code").GetString()!;
            var department = properties.GetProperty("department").GetProperty("code").GetString()!;

            Assert.Equal(district.Name, properties.GetProperty("name").GetString());
            Assert.StartsWith(department, province, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await sample.Client.GetAsync($"/v1/provinces/{province}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await sample.Client.GetAsync($"/v1/departments/{department}")).StatusCode);
        }
    }

    [Fact]
    public async Task Unknown_route_is_404_problem()
    {
        using var response = await sample.Client.GetAsync("/v1/nothing-here");

        await ProblemAssert.IsProblemAsync(response, 404);
    }
}
