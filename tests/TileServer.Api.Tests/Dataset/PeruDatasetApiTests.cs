using System.Net;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Dataset;

[Collection(PeruCollection.Name)]
public class PeruDatasetApiTests(PeruServerFixture peru)
{
    [PeruFact]
    public async Task Dataset_report_shows_the_exact_peru_join()
    {
        using var response = await peru.Client.GetAsync("/v1/dataset");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal(peru.Snapshot.Version, root.GetProperty("version").GetString());
        Assert.Equal(25, root.GetProperty("counts").GetProperty("departments").GetInt32());
        Assert.Equal(196, root.GetProperty("counts").GetProperty("provinces").GetInt32());
        Assert.Equal(1891, root.GetProperty("counts").GetProperty("districts").GetInt32());
        var join = root.GetProperty("join");
        Assert.Equal(1891, join.GetProperty("polygons").GetInt32());
        Assert.Equal(1889, join.GetProperty("matched").GetInt32());
        Assert.Equal(["130112", "180107"], join.GetProperty("unmatchedPolygons").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["150144", "160109", "160114", "NA"], join.GetProperty("unmatchedRows").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(23, join.GetProperty("missingValues").GetProperty("poblacion").GetInt32());
    }

    [PeruFact]
    public async Task Dataset_report_shows_source_coverage_quality_and_cleaning()
    {
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync("/v1/dataset"));
        var source = json.RootElement.GetProperty("sourceCoverage");
        var cleaning = json.RootElement.GetProperty("cleaning");

        // The data README: 5,086 overlapping pairs (one overlaps by under 1 m2, below the 1e-7 degree grid), about
        // 1,757 km2; about 44,000 holes in the union, about 2,500 km2.
        Assert.InRange(source.GetProperty("overlappingPairs").GetInt32(), 5085, 5086);
        Assert.InRange(source.GetProperty("overlapAreaSquareKilometres").GetDouble(), 1700, 1800);
        Assert.InRange(source.GetProperty("gaps").GetInt32(), 43_000, 45_000);
        Assert.Equal(source.GetProperty("gaps").GetInt32(), cleaning.GetProperty("gapsMerged").GetInt32() + cleaning.GetProperty("holesKept").GetInt32());
        Assert.True(cleaning.GetProperty("overlapsResolved").GetInt32() > 0);
        var changed = cleaning.GetProperty("districtsChangedOver1Percent").EnumerateArray().ToList();
        Assert.All(changed, c => Assert.InRange(Math.Abs(c.GetProperty("relativeChange").GetDouble()), 0.01, 0.10));
    }

    [PeruFact]
    public async Task Source_geometry_is_served_on_request_and_differs_where_cleaning_changed_it()
    {
        var changed = peru.Snapshot.Report.Cleaning!.ChangedDistricts[0].Code;

        using var cleaned = JsonDocument.Parse(await peru.Client.GetStringAsync($"/v1/districts/{changed}"));
        using var source = JsonDocument.Parse(await peru.Client.GetStringAsync($"/v1/districts/{changed}?geometry=source"));
        using var bad = await peru.Client.GetAsync($"/v1/districts/{changed}?geometry=raw");

        Assert.NotEqual(cleaned.RootElement.GetProperty("geometry").GetRawText(), source.RootElement.GetProperty("geometry").GetRawText());
        await ProblemAssert.IsProblemAsync(bad, 400);
    }

    [PeruFact]
    public async Task District_is_a_geojson_feature_with_parents_and_estimates()
    {
        using var response = await peru.Client.GetAsync("/v1/districts/010102");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal("Feature", root.GetProperty("type").GetString());
        Assert.Equal("010102", root.GetProperty("id").GetString());
        Assert.Contains(root.GetProperty("geometry").GetProperty("type").GetString(), new[] { "Polygon", "MultiPolygon" });
        var properties = root.GetProperty("properties");
        Assert.Equal("ASUNCIÓN", properties.GetProperty("name").GetString());
        Assert.Equal("0101", properties.GetProperty("province").GetProperty("code").GetString());
        Assert.Equal("CHACHAPOYAS", properties.GetProperty("province").GetProperty("name").GetString());
        Assert.Equal("AMAZONAS", properties.GetProperty("department").GetProperty("name").GetString());
        Assert.Equal(359, properties.GetProperty("estimates").GetProperty("poblacion").GetDouble());
    }

    [PeruFact]
    public async Task Unmatched_district_keeps_null_estimates()
    {
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync("/v1/districts/130112"));
        var properties = json.RootElement.GetProperty("properties");

        Assert.False(properties.GetProperty("hasEstimates").GetBoolean());
        Assert.Equal(JsonValueKind.Null, properties.GetProperty("estimates").GetProperty("poblacion").ValueKind);
    }

    [PeruTheory]
    [InlineData("/v1/provinces/1501", "LIMA", "15")]
    [InlineData("/v1/departments/15", "LIMA", null)]
    public async Task Provinces_and_departments_are_features(string path, string name, string? department)
    {
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync(path));
        var properties = json.RootElement.GetProperty("properties");

        Assert.Equal(name, properties.GetProperty("name").GetString());
        if (department is null)
        {
            Assert.Equal(JsonValueKind.Null, properties.GetProperty("department").ValueKind);
        }
        else
        {
            Assert.Equal(department, properties.GetProperty("department").GetProperty("code").GetString());
        }

        Assert.True(properties.GetProperty("estimates").GetProperty("poblacion").GetDouble() > 1_000_000);
    }

    [PeruTheory]
    [InlineData("/v1/districts/999999", "district")]
    [InlineData("/v1/provinces/9999", "province")]
    [InlineData("/v1/departments/NA", "department")]
    public async Task Unknown_code_is_404_problem(string path, string noun)
    {
        using var response = await peru.Client.GetAsync(path);

        var problem = await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Contains(noun, problem.Title, StringComparison.Ordinal);
    }
}
