using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Lookup;

[Collection(PeruCollection.Name)]
public class PeruLookupApiTests(PeruServerFixture peru)
{
    [PeruFact]
    public async Task Lima_plaza_de_armas_is_in_the_lima_district_of_lima_department()
    {
        using var response = await peru.Client.GetAsync("/v1/lookup?lat=-12.0453&lon=-77.0311");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;

        Assert.Equal("150101", root.GetProperty("code").GetString());
        Assert.Equal("1501", root.GetProperty("province").GetProperty("code").GetString());
        Assert.Equal("LIMA", root.GetProperty("department").GetProperty("name").GetString());
        Assert.Equal("inside", root.GetProperty("match").GetString());
        Assert.True(root.GetProperty("estimates").TryGetProperty("pobreza_pct", out _));
    }

    [PeruFact]
    public async Task Districts_without_estimates_keep_the_nulls()
    {
        // 130112 has a polygon but no row in poverty.csv.
        var unit = peru.Snapshot.Districts.Find("130112")!;
        var point = NetTopologySuite.Algorithm.InteriorPointArea.GetInteriorPoint(unit.Geometry);
        using var json = JsonDocument.Parse(await peru.Client.GetStringAsync(string.Create(CultureInfo.InvariantCulture, $"/v1/lookup?lat={point.Y:R}&lon={point.X:R}")));

        Assert.Equal("130112", json.RootElement.GetProperty("code").GetString());
        Assert.All(json.RootElement.GetProperty("estimates").EnumerateObject(), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
        Assert.NotEmpty(json.RootElement.GetProperty("estimates").EnumerateObject());
    }

    [PeruFact]
    public async Task A_json_batch_of_all_populated_places_answers_each_in_order()
    {
        var places = File.ReadLines(PeruData.File("populated_places.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var body = new StringBuilder("{\"points\":[");
        for (var i = 0; i < places.Length; i++)
        {
            body.Append(i == 0 ? "[" : ",[").Append(places[i][^1]).Append(',').Append(places[i][^2]).Append(']');
        }

        using var response = await peru.Client.PostAsync("/v1/lookup", new StringContent(body.Append("]}").ToString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();

        Assert.Equal(94_922, results.Length);
        var listed = 0;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].ValueKind == JsonValueKind.Null)
            {
                var lon = double.Parse(places[i][^1], CultureInfo.InvariantCulture);
                var lat = double.Parse(places[i][^2], CultureInfo.InvariantCulture);
                Assert.False(peru.Snapshot.Locator.Locate(lon, lat, 1000).Found);
                continue;
            }

            listed += results[i].GetProperty("code").GetString() == places[i][1] ? 1 : 0;
        }

        Assert.True(listed >= 0.982 * places.Length, $"{listed} of {places.Length} places answer their listed district");
    }

    [PeruFact]
    public async Task The_populated_places_file_posted_as_csv_comes_back_with_district_columns()
    {
        var csv = await File.ReadAllTextAsync(PeruData.File("populated_places.csv"));
        using var response = await peru.Client.PostAsync("/v1/lookup", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(94_923, lines.Length);
        Assert.StartsWith("ccpp_code,ubigeo,name,kind,lat,lon,district_code,", lines[0], StringComparison.Ordinal);
        var input = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(input[1].TrimEnd('\r') + ",010101,", lines[1], StringComparison.Ordinal);
        Assert.Equal(input.Length, lines.Length);
    }
}
