using System.Net;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Map;

/// <summary>
/// <c>GET /</c>: one landing page (the OGC API one), two representations decided by <c>f</c> and <c>Accept</c>: JSON
/// for API clients, the web map for browsers, whose header carries the landing page's title, description and links.
/// </summary>
[Collection(SampleCollection.Name)]
public class LandingMapApiTests(SampleServerFixture sample)
{
    private const string ChromiumAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

    [Theory]
    [InlineData(null, "")]
    [InlineData("*/*", "")]
    [InlineData("application/json", "")]
    [InlineData("application/json, text/html", "")]
    [InlineData("text/html;q=0.5, application/json", "")]
    [InlineData(ChromiumAccept, "?f=json")]
    public async Task API_clients_get_the_JSON_landing_page(string? accept, string query)
    {
        using var response = await Get("/" + query, accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("description").GetString()));
        var links = json.RootElement.GetProperty("links").EnumerateArray().DistinctBy(l => l.GetProperty("rel").GetString()).ToDictionary(l => l.GetProperty("rel").GetString()!);
        Assert.EndsWith("/api", links["service-desc"].GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal("application/vnd.oai.openapi+json;version=3.0", links["service-desc"].GetProperty("type").GetString());
        Assert.EndsWith("/api.html", links["service-doc"].GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/collections", links["data"].GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/styles/poverty.json", links["stylesheet"].GetProperty("href").GetString(), StringComparison.Ordinal);
        Assert.Equal("text/html", links["alternate"].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(ChromiumAccept, "")]
    [InlineData("text/html", "")]
    [InlineData(null, "?f=html")]
    [InlineData("application/json", "?f=html")]
    public async Task Browsers_get_the_map_whose_header_carries_the_landing_page(string? accept, string query)
    {
        using var response = await Get("/" + query, accept);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        var title = await LandingTitleAsync();
        Assert.Contains($"<h1>{System.Net.WebUtility.HtmlEncode(title)}</h1>", html, StringComparison.Ordinal);
        Assert.Contains("/api\"", html, StringComparison.Ordinal);
        Assert.Contains("/collections\"", html, StringComparison.Ordinal);
        Assert.Contains("f=gpkg", html, StringComparison.Ordinal);
        Assert.Contains("src=\"/map/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_map_is_also_at_map()
    {
        var landing = await (await Get("/?f=html", null)).Content.ReadAsStringAsync();
        var map = await (await Get("/map", null)).Content.ReadAsStringAsync();

        Assert.Equal(landing, map);
    }

    [Fact]
    public async Task An_unknown_format_is_a_problem()
    {
        using var response = await Get("/?f=xml", null);

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("'xml'", problem.Detail, StringComparison.Ordinal);
    }

    private async Task<string> LandingTitleAsync()
    {
        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync("/?f=json"));
        return json.RootElement.GetProperty("title").GetString()!;
    }

    private Task<HttpResponseMessage> Get(string path, string? accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        return sample.Client.SendAsync(request);
    }
}
