using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Search;

[Collection(PeruCollection.Name)]
public class PeruSearchApiTests(PeruServerFixture peru)
{
    [PeruFact]
    public async Task Asuncion_finds_ASUNCION_in_Amazonas()
    {
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync("/v1/search?q=asuncion"));

        var results = json.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("name").GetString() == "ASUNCIÓN" && r.GetProperty("department").GetProperty("name").GetString() == "AMAZONAS"
            && r.GetProperty("code").GetString() == "010102");
        Assert.All(results, r => Assert.Contains(r.GetProperty("match").GetString(), new[] { "exact", "prefix" }));
    }

    [PeruFact]
    public async Task Lima_lists_the_department_the_province_and_the_district_first()
    {
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync("/v1/search?q=LIMA&limit=5"));

        var first = json.RootElement.GetProperty("results").EnumerateArray().Take(3).Select(r => (r.GetProperty("level").GetString(), r.GetProperty("code").GetString()));
        Assert.Equal([("department", "15"), ("province", "1501"), ("district", "150101")], first);
    }
}
