using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using TileServer.Api.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Lookup;

namespace TileServer.Api.Tests.Lookup;

[Collection(SampleCollection.Name)]
public class SampleLookupApiTests(SampleServerFixture sample)
{
    private static string Url(double lat, double lon) =>
        string.Create(CultureInfo.InvariantCulture, $"/v1/lookup?lat={lat:R}&lon={lon:R}");

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task A_point_inside_a_district_answers_the_district_with_parents_and_every_estimate()
    {
        foreach (var unit in sample.Snapshot.Districts.Units.Take(40))
        {
            var point = InteriorPointArea.GetInteriorPoint(unit.Geometry);
            using var response = await sample.Client.GetAsync(Url(point.Y, point.X));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = json.RootElement;

            Assert.Equal(unit.Code, root.GetProperty("code").GetString());
            Assert.Equal(unit.Name, root.GetProperty("name").GetString());
            Assert.Equal(unit.ProvinceCode, root.GetProperty("province").GetProperty("code").GetString());
            Assert.Equal(sample.Snapshot.Provinces.Find(unit.ProvinceCode!)!.Name, root.GetProperty("province").GetProperty("name").GetString());
            Assert.Equal(unit.DepartmentCode, root.GetProperty("department").GetProperty("code").GetString());
            Assert.Equal("inside", root.GetProperty("match").GetString());
            Assert.Equal(0, root.GetProperty("distanceMeters").GetDouble());
            var estimates = root.GetProperty("estimates");
            var columns = sample.Snapshot.Districts.Columns;
            Assert.Equal(columns.Count, estimates.EnumerateObject().Count());
            for (var c = 0; c < columns.Count; c++)
            {
                var value = estimates.GetProperty(columns[c].Name);
                switch (unit.Values[c])
                {
                    case double number:
                        Assert.Equal(number, value.GetDouble());
                        break;
                    case string text:
                        Assert.Equal(text, value.GetString());
                        break;
                    default:
                        Assert.Equal(JsonValueKind.Null, value.ValueKind);
                        break;
                }
            }
        }
    }

    [Fact]
    public async Task A_vertex_shared_by_districts_answers_one_of_them_as_boundary()
    {
        var checkedVertices = 0;
        foreach (var unit in sample.Snapshot.Districts.Units.Take(10))
        {
            var vertex = unit.Geometry.Coordinates[0];
            using var json = JsonDocument.Parse(await sample.Client.GetStringAsync(Url(vertex.Y, vertex.X)));
            var code = json.RootElement.GetProperty("code").GetString()!;
            var covering = sample.Snapshot.Districts.Units.Where(u => u.Geometry.Covers(new Point(vertex))).Select(u => u.Code).ToList();

            Assert.Equal("boundary", json.RootElement.GetProperty("match").GetString());
            Assert.Contains(code, covering);
            checkedVertices++;
        }

        Assert.Equal(10, checkedVertices);
    }

    [Fact]
    public async Task Outside_the_coverage_the_nearest_district_answers_within_the_snap_distance_and_farther_is_404()
    {
        var (west, x, y) = WesternmostVertex(sample.Snapshot);

        // 0.002 degrees west of the westernmost vertex: about 200 m off the coverage.
        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync(Url(y, x - 0.002)));
        Assert.Equal("nearest", json.RootElement.GetProperty("match").GetString());
        Assert.Equal(west.Code, json.RootElement.GetProperty("code").GetString());
        Assert.InRange(json.RootElement.GetProperty("distanceMeters").GetDouble(), 150, 250);

        using var far = await sample.Client.GetAsync(Url(y, x - 0.5));
        var problem = await ProblemAssert.IsProblemAsync(far, 404);
        Assert.Contains("1000 m", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/lookup?lon=-75", "lat")]
    [InlineData("/v1/lookup?lat=-12", "lon")]
    [InlineData("/v1/lookup?lat=&lon=-75", "lat")]
    [InlineData("/v1/lookup?lat=abc&lon=-75", "lat")]
    [InlineData("/v1/lookup?lat=-12&lon=1e", "lon")]
    [InlineData("/v1/lookup?lat=NaN&lon=-75", "lat")]
    [InlineData("/v1/lookup?lat=-12&lon=Infinity", "lon")]
    [InlineData("/v1/lookup?lat=90.5&lon=-75", "lat")]
    [InlineData("/v1/lookup?lat=-12&lon=-180.01", "lon")]
    [InlineData("/v1/lookup?lat=-120&lon=-12", "lat")]
    [InlineData("/v1/lookup?lat=-12&lat=-13&lon=-75", "lat")]
    public async Task Bad_coordinates_are_400_naming_the_parameter(string url, string parameter)
    {
        using var response = await sample.Client.GetAsync(url);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains($"'{parameter}'", problem.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_json_batch_answers_in_order_like_single_lookups_and_reports_bad_rows_by_index()
    {
        var inside = sample.Snapshot.Districts.Units.Take(3).Select(u => InteriorPointArea.GetInteriorPoint(u.Geometry)).ToArray();
        var body = string.Create(CultureInfo.InvariantCulture, $$"""
            {"version": 1, "points": [[{{inside[0].X:R}}, {{inside[0].Y:R}}], [10, 10], ["a", 3], [200, 3], [1], null,
              {"id": "p-1", "lon": {{inside[1].X:R}}, "lat": {{inside[1].Y:R}} }, {"lat": {{inside[2].Y:R}}, "lon": {{inside[2].X:R}}, "id": 42 },
              {"id": 7, "lat": 1}, [1, 2, [3]], [1, 95]], "after": {"ignored": [1, 2]} }
            """);
        using var response = await sample.Client.PostAsync("/v1/lookup", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var results = json.RootElement.GetProperty("results").EnumerateArray().ToArray();

        Assert.Equal(11, results.Length);
        using (var single = JsonDocument.Parse(await sample.Client.GetStringAsync(Url(inside[0].Y, inside[0].X))))
        {
            Assert.Equal(single.RootElement.GetRawText(), results[0].GetRawText());
        }

        Assert.Equal(JsonValueKind.Null, results[1].ValueKind);
        foreach (var (index, mentions) in new[] { (2, "lon"), (3, "lon"), (4, "two numbers"), (5, "[lon, lat]"), (8, "lon"), (9, "two numbers"), (10, "lat") })
        {
            Assert.Equal(index, results[index].GetProperty("index").GetInt32());
            Assert.Contains(mentions, results[index].GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal("p-1", results[6].GetProperty("id").GetString());
        Assert.Equal(sample.Snapshot.Districts.Units[1].Code, results[6].GetProperty("code").GetString());
        Assert.Equal(42, results[7].GetProperty("id").GetInt32());
        Assert.Equal(sample.Snapshot.Districts.Units[2].Code, results[7].GetProperty("code").GetString());
        Assert.Equal(7, results[8].GetProperty("id").GetInt32());
    }

    [Theory]
    [InlineData("[[1, 2]]", "object")]
    [InlineData("{\"points\": 3}", "array")]
    [InlineData("{\"other\": []}", "points")]
    [InlineData("{\"points\": [[1, 2]", "JSON")]
    [InlineData("", "JSON")]
    [InlineData("{\"points\": [[1, 2]]} x", "JSON")]
    public async Task A_body_that_is_not_a_batch_is_400(string body, string mentions)
    {
        using var response = await sample.Client.PostAsync("/v1/lookup", Json(body));
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(mentions, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_points_than_the_limit_is_413_and_other_media_types_415()
    {
        var body = "{\"points\": [" + string.Join(",", Enumerable.Repeat("[0,0]", 100_001)) + "]}";
        using var tooMany = await sample.Client.PostAsync("/v1/lookup", Json(body));
        var problem = await ProblemAssert.IsProblemAsync(tooMany, 413);
        Assert.Contains("100000", problem.Detail, StringComparison.Ordinal);

        var csv = "lat,lon\n" + string.Concat(Enumerable.Repeat("0,0\n", 100_001));
        using var tooManyRows = await sample.Client.PostAsync("/v1/lookup", new StringContent(csv, Encoding.UTF8, "text/csv"));
        await ProblemAssert.IsProblemAsync(tooManyRows, 413);

        using var text = await sample.Client.PostAsync("/v1/lookup", new StringContent("1,2", Encoding.UTF8, "text/plain"));
        await ProblemAssert.IsProblemAsync(text, 415);
    }

    [Fact]
    public async Task A_csv_batch_keeps_every_column_and_appends_the_district_columns()
    {
        var unit = sample.Snapshot.Districts.Units[5];
        var point = InteriorPointArea.GetInteriorPoint(unit.Geometry);
        var csv = string.Create(CultureInfo.InvariantCulture, $"id,name,LAT,Lon\n1,\"a, \"\"quoted\"\" name\",{point.Y:R},{point.X:R}\n2,bad,north,{point.X:R}\n3,sea,10,10\n");
        using var response = await sample.Client.PostAsync("/v1/lookup", new StringContent(csv, Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(4, lines.Length);
        Assert.StartsWith("id,name,LAT,Lon,district_code,district_name,province_code,province_name,department_code,department_name,", lines[0], StringComparison.Ordinal);
        Assert.EndsWith(",match,distance_meters,error", lines[0], StringComparison.Ordinal);
        var columns = lines[0].Split(',').Length;
        Assert.StartsWith(string.Create(CultureInfo.InvariantCulture, $"1,\"a, \"\"quoted\"\" name\",{point.Y:R},{point.X:R},{unit.Code},{unit.Name},{unit.ProvinceCode},"), lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",inside,0,", lines[1], StringComparison.Ordinal);
        Assert.EndsWith("lat is not a number: 'north'", lines[2], StringComparison.Ordinal);
        Assert.Equal(columns, lines[2].Split(',').Length);
        Assert.EndsWith(",none,0,", lines[3], StringComparison.Ordinal);
        Assert.Equal(columns, lines[3].Split(',').Length);
    }

    [Fact]
    public async Task A_csv_without_lat_or_lon_is_400_naming_the_column()
    {
        using var response = await sample.Client.PostAsync("/v1/lookup", new StringContent("x,lon\n1,2\n", Encoding.UTF8, "text/csv"));
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("'lat'", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Lookup:MaxSnapMetres", "-1", "Lookup:MaxSnapMetres")]
    [InlineData("Lookup:MaxSnapMeters", "-1", "Lookup:MaxSnapMetres")]
    [InlineData("Lookup:MaxBatchPoints", "0", "Lookup:MaxBatchPoints")]
    public async Task Invalid_lookup_options_stop_the_start(string key, string value, string named)
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { [key] = value });
        var options = factory.Services.GetRequiredService<IOptions<LookupOptions>>();
        var error = Assert.Throws<OptionsValidationException>(() => options.Value);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// <c>Lookup:MaxSnapMetres</c> is the key; <c>Lookup:MaxSnapMeters</c>, its spelling before the keys settled on
    /// "metres", still works so that no deployment breaks, and the log says which key to use instead.
    /// </summary>
    [Theory]
    [InlineData("Lookup:MaxSnapMetres", false)]
    [InlineData("Lookup:MaxSnapMeters", true)]
    public async Task Either_spelling_of_the_snap_distance_key_applies_and_the_old_one_logs_a_warning_naming_the_new(string key, bool deprecated)
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { [key] = "100" });
        var served = await factory.ServedAsync();
        var (_, x, y) = WesternmostVertex(served.Snapshot);

        // About 200 m off the coverage: the default 1000 m answers it (see above), 100 m does not.
        using var response = await factory.CreateClient().GetAsync(Url(y, x - 0.002));

        var problem = await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Contains("within 100 m", problem.Detail, StringComparison.Ordinal);
        var warnings = factory.Logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Message.Contains("Lookup:MaxSnapMeters", StringComparison.Ordinal)).ToList();
        if (deprecated)
        {
            Assert.Contains("set Lookup:MaxSnapMetres instead", Assert.Single(warnings).Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Empty(warnings);
        }
    }

    [Fact]
    public async Task With_both_spellings_the_new_key_wins_and_the_warning_says_the_old_one_is_ignored()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Lookup:MaxSnapMetres"] = "100", ["Lookup:MaxSnapMeters"] = "5000" });

        var served = await factory.ServedAsync();

        Assert.Equal(100, served.LookupOptions.MaxSnapMetres);
        var warning = Assert.Single(factory.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("Lookup:MaxSnapMeters", StringComparison.Ordinal));
        Assert.Contains("ignored", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Lookup:MaxSnapMetres", warning.Message, StringComparison.Ordinal);
    }

    private static (AdminUnit Unit, double X, double Y) WesternmostVertex(DatasetSnapshot snapshot) =>
        snapshot.Districts.Units
            .SelectMany(u => u.Geometry.Coordinates.Select(c => (u, c.X, c.Y)))
            .MinBy(t => t.X);
}
