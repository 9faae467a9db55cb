using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using TileServer.Api.Tests.Aggregation;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Hostile;

/// <summary>
/// The hostile-request suite (issue 17), in process over the embedded sample: each category of the attack (JSON
/// strings, charsets, repeated parameters, Accept headers, Host headers, URL variants, what the server reveals)
/// answers problem+json with the status it documents, never a 500. The transport categories, which need Kestrel,
/// are in <see cref="HostileTransportTests"/>.
/// </summary>
[Collection(SampleCollection.Name)]
public class HostileRequestApiTests(SampleServerFixture sample)
{
    private const string Square = "[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-9.9],[-74,-10]]]";

    // Defect 1: a self-intersecting star of 1,001 vertices (161 s before) is refused at once, naming the limit.
    [Fact]
    public async Task A_star_polygon_is_a_422_too_complex_naming_the_limit()
    {
        const int n = 1001;
        var ring = Enumerable.Range(0, n + 1).Select(i =>
        {
            var angle = 2 * Math.PI * (i % n) * (n / 2 - 1) / n;
            return FormattableString.Invariant($"[{-75 + 6 * Math.Cos(angle):R},{-9 + 6 * Math.Sin(angle):R}]");
        });
        var body = $"{{\"type\":\"Polygon\",\"coordinates\":[[{string.Join(',', ring)}]]}}";

        using var response = await sample.Client.PostAsync(new Uri("/v1/aggregate", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.IsProblemAsync(response, 422);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"problem\":\"tooComplex\"", text, StringComparison.Ordinal);
        Assert.Contains("Aggregation:MaxSelfIntersections", text, StringComparison.Ordinal);
    }

    // Defect 7: a ring across the antimeridian is the 20-degree box it means, which holds no district of Peru's sample.
    [Fact]
    public async Task A_ring_across_the_antimeridian_is_not_aggregated_as_its_complement()
    {
        const string across = """{"type":"Polygon","coordinates":[[[170,-20],[-170,-20],[-170,10],[170,10],[170,-20]]]}""";
        // The complement, written with edges under 180 degrees, so that it does not cross the antimeridian.
        const string complement = """{"type":"Polygon","coordinates":[[[-170,-20],[0,-20],[170,-20],[170,10],[0,10],[-170,10],[-170,-20]]]}""";

        var acrossResult = await AggregateClient.PostOkAsync(sample.Client, across);
        var complementResult = await AggregateClient.PostOkAsync(sample.Client, complement);

        Assert.Equal(0, acrossResult.GetProperty("districts").GetInt32());
        Assert.True(complementResult.GetProperty("districts").GetInt32() > 0, "the sample's districts lie between 170 W and 170 E");
    }

    // Defect 3: a lone surrogate escape anywhere in a string of an aggregate body is 400 naming its JSON path.
    public static TheoryData<string, string> LoneSurrogateAggregateBodies => new()
    {
        { $$$"""{"type":"Feature","id":"\ud800","properties":{},"geometry":{"type":"Polygon","coordinates":{{{Square}}}}}""", "id" },
        { $$$"""{"type":"Feature","properties":{"name":"a\udc00b"},"geometry":{"type":"Polygon","coordinates":{{{Square}}}}}""", "properties" },
        { $$$"""{"type":"Feature","properties":{"\ud800":1},"geometry":{"type":"Polygon","coordinates":{{{Square}}}}}""", "properties" },
        { $$$"""{"type":"Polygon\ud800","coordinates":{{{Square}}}}""", "type" },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogateAggregateBodies))]
    public async Task A_lone_surrogate_in_an_aggregate_body_is_a_400_naming_where(string body, string path)
    {
        using var response = await sample.Client.PostAsync(new Uri("/v1/aggregate", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(path, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Unicode", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_in_an_aggregate_member_name_is_a_400_with_a_json_body()
    {
        byte[] body = [.. """{"type":"Feature","properties":{"""u8, (byte)'"', 0xC3, 0x28, (byte)'"', .. """:1},"geometry":{"type":"Polygon","coordinates":"""u8, .. Encoding.UTF8.GetBytes(Square), (byte)'}', (byte)'}'];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await sample.Client.PostAsync(new Uri("/v1/aggregate", UriKind.Relative), content);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("UTF-8", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_lookup_batch_id_is_a_400_naming_the_id()
    {
        using var response = await sample.Client.PostAsync(new Uri("/v1/lookup", UriKind.Relative),
            new StringContent("""{"points":[{"id":"\ud800","lon":-74,"lat":-10}]}""", Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("id", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Unicode", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_lookup_batch_id_is_a_400_naming_the_id()
    {
        using var response = await PostBytesAsync("/v1/lookup", Utf8WithFf("""{"points":[[-74,-10],{"id":"a<FF>","lon":-74,"lat":-10}]}"""));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("points[1].id", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("UTF-8", problem.Detail, StringComparison.Ordinal);
    }

    // Strings that are not Unicode text in a targeting or allocation body: 400 whose field names the JSON path (the
    // containing object for a member name). <FF> stands for the byte 0xFF, which no UTF-8 text holds.
    public static TheoryData<string, string, string> NonUnicodeTargetingBodies => new()
    {
        { "/v1/targeting", """{"indicator":"\ud800","rules":[{"threshold":50}]}""", "indicator" },
        { "/v1/targeting", """{"indicator":"pobreza<FF>","rules":[{"threshold":50}]}""", "indicator" },
        { "/v1/targeting", """{"rules":[{"threshold":50},{"top":3,"indicator":"a\udfff"}]}""", "rules[1].indicator" },
        { "/v1/targeting", """{"rules":[{"threshold":50,"\ud800":1}]}""", "rules[0]" },
        { "/v1/targeting", """{"scope":{"department":"0<FF>"},"rules":[{"threshold":50}]}""", "scope.department" },
        { "/v1/allocation", """{"budget":1000,"formulas":["poor","\udc00"]}""", "formulas[1]" },
        { "/v1/allocation", """{"budget":1000,"formulas":[{"name":"w","weights":{"p<FF>":1}}]}""", "formulas[0].weights" },
    };

    [Theory]
    [MemberData(nameof(NonUnicodeTargetingBodies))]
    public async Task A_string_that_is_not_unicode_in_a_targeting_body_is_a_400_naming_its_path(string path, string body, string field)
    {
        using var response = await PostBytesAsync(path, Utf8WithFf(body));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(field, json.GetProperty("field").GetString());
        Assert.Contains($"'{field}'", problem.Title, StringComparison.Ordinal);
        Assert.Contains("Unicode", problem.Detail, StringComparison.Ordinal);
    }

    // CQL2 JSON in the filter parameter of the OGC items route: a lone surrogate escape is 400 naming the filter and
    // the JSON Pointer; bytes that are not UTF-8 in any parameter are refused before any route reads them.
    [Theory]
    [InlineData("""{"op":"=","args":[{"property":"name"},"\ud800"]}""", "/args/1")]
    [InlineData("""{"op":"=","args":[{"property":"\udc00"},"x"]}""", "/args/0/property")]
    [InlineData("""{"op":"and","args":[{"op":"=","args":[{"property":"name"},"x"]},{"\ud800":1}]}""", "/args/1")]
    public async Task A_lone_surrogate_in_a_cql2_json_filter_is_a_400_naming_the_filter_and_the_pointer(string filter, string pointer)
    {
        using var response = await sample.Client.GetAsync(new Uri($"/collections/districts/items?filter-lang=cql2-json&filter={Uri.EscapeDataString(filter)}", UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("'filter'", problem.Title, StringComparison.Ordinal);
        Assert.Contains(pointer, problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/collections/districts/items?filter-lang=cql2-json&filter=%7B%22op%22%3A%22%3D%22%2C%22args%22%3A%5B%7B%22property%22%3A%22name%22%7D%2C%22%FF%22%5D%7D", "filter")]
    [InlineData("/collections/districts/items?filter=name%3D%27%ED%A0%80%27", "filter")]
    [InlineData("/collections/districts/items?name=%C3", "name")]
    [InlineData("/v1/search?q=Lim%E1", "q")]
    [InlineData("/v1/lookup?lat=-10&lon=-74&x%FF=1", "x%FF")]
    public async Task A_parameter_that_is_not_utf8_is_a_400_naming_it(string url, string parameter)
    {
        using var response = await sample.Client.GetAsync(new Uri(url, UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalidParameterEncoding", json.GetProperty("problem").GetString());
        Assert.Equal(parameter, json.GetProperty("parameter").GetString());
        Assert.Contains($"'{parameter}'", problem.Title, StringComparison.Ordinal);
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/> with each <c>&lt;FF&gt;</c> made the byte 0xFF.</summary>
    private static byte[] Utf8WithFf(string text) =>
        [.. text.Split("<FF>").SelectMany((part, i) => i == 0 ? Encoding.UTF8.GetBytes(part) : [0xFF, .. Encoding.UTF8.GetBytes(part)])];

    private async Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await sample.Client.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    // Defect 9: a CSV batch is read in the charset its Content-Type names, strictly.
    [Fact]
    public async Task A_latin1_csv_batch_is_decoded_as_latin1()
    {
        using var content = new ByteArrayContent(Encoding.Latin1.GetBytes("name,lat,lon\nÑaña,-10,-74\n"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=iso-8859-1");
        using var response = await sample.Client.PostAsync(new Uri("/v1/lookup", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("Ñaña", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFFFD', text);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_csv_batch_is_a_400_naming_the_line()
    {
        byte[] body = [.. "name,lat,lon\na,-10,-74\n"u8, 0xFF, .. ",-10,-74\n"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv");
        using var response = await sample.Client.PostAsync(new Uri("/v1/lookup", UriKind.Relative), content);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("line 3", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/csv; charset=utf-16")]
    [InlineData("text/csv; charset=no-such-charset")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task A_batch_in_a_charset_the_server_cannot_read_is_415(string contentType)
    {
        using var content = new ByteArrayContent("lat,lon\n-10,-74\n"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await sample.Client.PostAsync(new Uri("/v1/lookup", UriKind.Relative), content);

        var problem = await ProblemAssert.IsProblemAsync(response, 415);
        Assert.Contains("charset", problem.Detail, StringComparison.Ordinal);
    }

    // Defect 10: one rule for every route, a repeated parameter is 400 naming it.
    [Theory]
    [InlineData("/v1/aggregate?bbox=-77,-12&bbox=-76,-11", "bbox")]
    [InlineData("/v1/lookup?lat=-10&lon=-74&lat=-11", "lat")]
    [InlineData("/collections/districts/items?limit=1&limit=2", "limit")]
    [InlineData("/tiles/poverty/0/0/0.mvt?a=1&a=2", "a")]
    public async Task A_repeated_parameter_is_a_400_naming_it_on_every_route(string url, string parameter)
    {
        using var response = await sample.Client.GetAsync(new Uri(url, UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains($"'{parameter}'", problem.Title, StringComparison.Ordinal);
    }

    // Defect 8: errors are problem+json whatever the Accept header.
    // The OGC routes' path values: an unknown, overlong, encoded or traversing collection or feature id is a 404
    // problem naming what is not there, never a 500 or another resource.
    [Theory]
    [InlineData("/collections/no-such-collection")]
    [InlineData("/collections/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/collections/no-such-collection/items")]
    [InlineData("/collections/districts/items/no-such-code")]
    [InlineData("/collections/districts/items/..%2Fdepartments")]
    [InlineData("/collections/districts/items/%E2%80%AE010101")]
    public async Task Hostile_collection_and_feature_ids_are_404_problems(string url)
    {
        var tooLong = url.EndsWith("no-such-code", StringComparison.Ordinal) ? url + new string('9', 4000) : url;

        using var response = await sample.Client.GetAsync(new Uri(tooLong, UriKind.Relative));

        await ProblemAssert.IsProblemAsync(response, 404);
    }

    [Theory]
    [InlineData("GET", "/no/such/route", "text/html", 404)]
    [InlineData("GET", "/no/such/route", "text/csv", 404)]
    [InlineData("GET", "/no/such/route", "application/xml", 404)]
    [InlineData("DELETE", "/v1/dataset", "text/html", 405)]
    [InlineData("PUT", "/tiles/poverty.json", "application/xml", 405)]
    public async Task Errors_are_problem_json_whatever_the_accept_header(string method, string url, string accept, int status)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Accept.ParseAdd(accept);
        using var response = await sample.Client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, status);
    }

    // Defect 11: one URL per tile.
    [Theory]
    [InlineData("/tiles/poverty/0/00/0.mvt")]
    [InlineData("/tiles/poverty/00/0/0.mvt")]
    [InlineData("/tiles/poverty/0/0/0.mvt/")]
    [InlineData("/tiles/poverty/0/0/00.pbf")]
    public async Task A_tile_url_that_is_not_canonical_is_404(string url)
    {
        using var canonical = await sample.Client.GetAsync(new Uri("/tiles/poverty/0/0/0.mvt", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, canonical.StatusCode);

        using var response = await sample.Client.GetAsync(new Uri(url, UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Contains("/tiles/poverty/0/0/0.", problem.Detail, StringComparison.Ordinal);
    }

    // Defect 6: URLs from the request vary with it.
    [Fact]
    public async Task Tile_urls_from_the_host_header_say_vary_host()
    {
        using var client = sample.Factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });
        using var response = await client.GetAsync(new Uri("/tiles/poverty.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Host", response.Headers.Vary);
    }

    // Defect 12: the dataset summary names files, not the server's folders.
    [Fact]
    public async Task The_dataset_summary_shows_file_names_only()
    {
        var file = await IngestFileAsync(sample.Client);

        Assert.EndsWith("districts.shp", file, StringComparison.Ordinal);
        Assert.Equal(Path.GetFileName(file), file);
    }

    internal static async Task<string> IngestFileAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/v1/dataset", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("ingest").GetProperty("file").GetString()!;
    }
}

/// <summary>The hostile-request categories that need their own configuration: Host rules, a public base URL, paths shown.</summary>
public class HostileConfigurationApiTests
{
    [Fact]
    public async Task A_public_base_url_is_used_whatever_the_host_and_the_answer_does_not_vary_with_it()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Proxy:PublicBaseUrl"] = "https://maps.example.org/pobreza/" });
        await factory.ReadyAsync();
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });

        using var response = await client.GetAsync(new Uri("/tiles/poverty.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var template = json.RootElement.GetProperty("tiles")[0].GetString();
        Assert.StartsWith("https://maps.example.org/pobreza/tiles/poverty/v/", template, StringComparison.Ordinal);
        Assert.EndsWith("/{z}/{x}/{y}.mvt", template, StringComparison.Ordinal);
        Assert.DoesNotContain("Host", response.Headers.Vary);
    }

    [Fact]
    public async Task A_host_outside_allowed_hosts_is_a_400_problem()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["AllowedHosts"] = "maps.example.org;*.example.gob.pe" });
        await factory.ReadyAsync();
        using var evil = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://evil.example") });
        using var allowed = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://mapas.example.gob.pe") });

        using var refused = await evil.GetAsync(new Uri("/tiles/poverty.json", UriKind.Relative));
        using var answered = await allowed.GetAsync(new Uri("/tiles/poverty.json", UriKind.Relative));

        var problem = await ProblemAssert.IsProblemAsync(refused, 400);
        Assert.Contains("evil.example", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Theory]
    [InlineData("maps.example.org")]
    [InlineData("ftp://maps.example.org")]
    [InlineData("https://maps.example.org/?a=1")]
    public async Task A_public_base_url_that_is_not_an_http_url_stops_the_start(string url)
    {
        // Options are validated when the host is built: one line on stderr naming the key, exit code 2.
        var (exitCode, _, stderr) = await ServerProcess.RunAsync($"--Proxy:PublicBaseUrl={url}", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        Assert.Contains("Proxy:PublicBaseUrl", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_operator_can_show_full_file_paths()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Dataset:ShowFilePaths"] = "true" });
        await factory.ReadyAsync();
        using var client = factory.CreateClient();

        var file = await HostileRequestApiTests.IngestFileAsync(client);

        Assert.True(Path.IsPathRooted(file), file);
        Assert.EndsWith("districts.shp", file, StringComparison.Ordinal);
    }
}
