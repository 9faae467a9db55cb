using System.IO.Compression;
using System.Net;
using System.Text.Json;
using TileServer.Api.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Api.Tests.Tiles;

/// <summary>HTTP semantics of the tile endpoints over the embedded sample.</summary>
[Collection(SampleCollection.Name)]
public class SampleTileApiTests(SampleServerFixture sample)
{
    private ITileSource Tiles => sample.Snapshot.Tiles!;

    private TileId SomeTile => Tiles.TileIds.Where(t => t.Z == 8).OrderBy(t => t.X).ThenBy(t => t.Y).First();

    private static HttpRequestMessage Get(string path, string? acceptEncoding = null, string? ifNoneMatch = null, string? origin = null) =>
        Requests.Get(path, acceptEncoding, ifNoneMatch, origin);

    [Fact]
    public async Task TileJson_describes_the_tileset_with_urls_from_the_request_host()
    {
        using var response = await sample.Client.GetAsync("/tiles/poverty.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("3.0.0", root.GetProperty("tilejson").GetString());
        Assert.Equal($"http://localhost/tiles/poverty/v/{sample.Snapshot.Version}/{{z}}/{{x}}/{{y}}.mvt", root.GetProperty("tiles")[0].GetString());
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        Assert.Equal(0, root.GetProperty("minzoom").GetInt32());
        Assert.Equal(12, root.GetProperty("maxzoom").GetInt32());
        Assert.Equal(4, root.GetProperty("bounds").GetArrayLength());
        Assert.Equal(3, root.GetProperty("center").GetArrayLength());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("attribution").GetString()));
        var layers = root.GetProperty("vector_layers").EnumerateArray().ToDictionary(l => l.GetProperty("id").GetString()!);
        Assert.Equal(["departments", "provinces", "districts", "labels"], layers.Keys);
        Assert.Equal(5, layers["districts"].GetProperty("minzoom").GetInt32());
        Assert.Equal("Number", layers["districts"].GetProperty("fields").GetProperty("pobreza_pct").GetString());
        Assert.Equal("String", layers["districts"].GetProperty("fields").GetProperty("province").GetString());
    }

    [Fact]
    public async Task A_tile_is_served_gzip_to_clients_that_accept_it()
    {
        var id = SomeTile;
        Assert.True(Tiles.TryGetTile(id, out var tile));
        using var response = await sample.Client.SendAsync(Get($"/tiles/poverty/{id}.mvt", "gzip, deflate, br"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TileEndpointsContentType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal("public, max-age=3600", response.Headers.CacheControl?.ToString());
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(tile.Gzip.ToArray(), body);
        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        await gzip.CopyToAsync(raw);
        Assert.Equal(tile.Mvt.ToArray(), raw.ToArray());
    }

    private const string TileEndpointsContentType = "application/vnd.mapbox-vector-tile";

    [Theory]
    [InlineData(null)]
    [InlineData("gzip")]
    public async Task Head_answers_the_headers_of_get_without_the_body(string? acceptEncoding)
    {
        var path = $"/tiles/poverty/{SomeTile}.mvt";
        using var get = await sample.Client.SendAsync(Get(path, acceptEncoding));
        var head = Get(path, acceptEncoding);
        head.Method = HttpMethod.Head;
        using var response = await sample.Client.SendAsync(head);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(get.Headers.ETag, response.Headers.ETag);
        Assert.Equal(get.Content.Headers.ContentType, response.Content.Headers.ContentType);
        Assert.Equal(get.Content.Headers.ContentEncoding, response.Content.Headers.ContentEncoding);
        Assert.Equal((await get.Content.ReadAsByteArrayAsync()).Length, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());

        var conditional = Get(path, acceptEncoding, ifNoneMatch: get.Headers.ETag!.Tag);
        conditional.Method = HttpMethod.Head;
        using var notModified = await sample.Client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("identity")]
    [InlineData("gzip;q=0, br")]
    public async Task A_tile_is_served_plain_to_clients_that_do_not_accept_gzip(string? acceptEncoding)
    {
        var id = SomeTile;
        Assert.True(Tiles.TryGetTile(id, out var tile));
        using var response = await sample.Client.SendAsync(Get($"/tiles/poverty/{id}.pbf", acceptEncoding));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.Equal(tile.Mvt.ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(tile.Mvt.Length, response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task The_etag_names_the_dataset_version_and_answers_304()
    {
        var path = $"/tiles/poverty/{SomeTile}.mvt";
        using var first = await sample.Client.SendAsync(Get(path, "gzip"));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Contains(sample.Snapshot.Version, etag.Tag, StringComparison.Ordinal);

        using var again = await sample.Client.SendAsync(Get(path, "gzip", etag.Tag));
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());

        // The plain representation has its own tag: the gzip one does not validate it.
        using var plain = await sample.Client.SendAsync(Get(path, null, etag.Tag));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.NotEqual(etag.Tag, plain.Headers.ETag?.Tag);

        using var stale = await sample.Client.SendAsync(Get(path, "gzip", "\"0000000000000000-gzip\""));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData(null)]
    public async Task A_versioned_tile_url_is_the_same_tile_cached_for_good(string? acceptEncoding)
    {
        var id = SomeTile;
        using var unversioned = await sample.Client.SendAsync(Get($"/tiles/poverty/{id}.mvt", acceptEncoding));
        using var response = await sample.Client.SendAsync(Get($"/tiles/poverty/v/{sample.Snapshot.Version}/{id}.mvt", acceptEncoding));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", string.Join(", ", response.Headers.GetValues("Cache-Control")));
        Assert.Equal("public, max-age=3600", unversioned.Headers.CacheControl?.ToString());
        Assert.Equal(unversioned.Headers.ETag, response.Headers.ETag);
        Assert.Equal(unversioned.Content.Headers.ContentEncoding, response.Content.Headers.ContentEncoding);
        Assert.Equal(await unversioned.Content.ReadAsByteArrayAsync(), await response.Content.ReadAsByteArrayAsync());
        Assert.Contains("Accept-Encoding", response.Headers.Vary);

        using var notModified = await sample.Client.SendAsync(Get($"/tiles/poverty/v/{sample.Snapshot.Version}/{id}.mvt", acceptEncoding, response.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("0000000000000000")]
    [InlineData("latest")]
    public async Task Another_version_is_a_404_problem_no_cache_keeps(string version)
    {
        using var response = await sample.Client.GetAsync($"/tiles/poverty/v/{version}/{SomeTile}.mvt");

        var problem = await ProblemAssert.IsProblemAsync(response, 404);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains(sample.Snapshot.Version, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("/tiles/poverty.json", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/tiles/poverty/v/{0}/3/8/0.mvt", 400)]
    [InlineData("/tiles/poverty/v/{0}/13/0/0.mvt", 404)]
    [InlineData("/tiles/poverty/v/{0}/0/0/0.png", 404)]
    public async Task A_versioned_url_checks_the_tile_as_the_unversioned_one(string template, int status)
    {
        using var response = await sample.Client.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, sample.Snapshot.Version));
        await ProblemAssert.IsProblemAsync(response, status);
    }

    [Fact]
    public async Task A_tile_without_features_is_204()
    {
        var empty = new TileId(10, 0, 0);
        Assert.False(Tiles.TryGetTile(empty, out _));
        using var response = await sample.Client.GetAsync($"/tiles/poverty/{empty}.mvt");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/tiles/poverty/3/8/0.mvt")]
    [InlineData("/tiles/poverty/3/0/8.mvt")]
    [InlineData("/tiles/poverty/3/-1/0.mvt")]
    [InlineData("/tiles/poverty/a/0/0.mvt")]
    [InlineData("/tiles/poverty/5/1/99999999999.mvt")]
    public async Task Bad_coordinates_are_400_problems(string path)
    {
        using var response = await sample.Client.GetAsync(path);
        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("coordinates", problem.Title, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("/tiles/poverty/13/0/0.mvt")]
    [InlineData("/tiles/poverty/31/0/0.mvt")]
    [InlineData("/tiles/poverty/0/0/0.png")]
    public async Task Zooms_above_maxzoom_and_unknown_formats_are_404_problems(string path)
    {
        using var response = await sample.Client.GetAsync(path);
        await ProblemAssert.IsProblemAsync(response, 404);
    }

    [Fact]
    public async Task Browsers_on_other_origins_may_read_tiles_and_their_etag()
    {
        using var response = await sample.Client.SendAsync(Get($"/tiles/poverty/{SomeTile}.mvt", "gzip", origin: "https://maps.example.org"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("ETag", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_dataset_report_summarises_the_tiles()
    {
        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync("/v1/dataset"));
        var tiles = json.RootElement.GetProperty("tiles");
        // The counts describe the tiles built at load (z0 to Tiles:PrebuildMaxZoom); the deeper zooms are built on request.
        Assert.Equal(Tiles.TileIds.Count(t => t.Z <= TilesOptions.DefaultPrebuildMaxZoom), tiles.GetProperty("tiles").GetInt32());
        Assert.True(tiles.GetProperty("mvtBytes").GetInt64() > tiles.GetProperty("gzipBytes").GetInt64());
        Assert.Equal(TilesOptions.DefaultPrebuildMaxZoom + 1, tiles.GetProperty("zooms").GetArrayLength());
        Assert.Equal(Enumerable.Range(TilesOptions.DefaultPrebuildMaxZoom + 1, 12 - TilesOptions.DefaultPrebuildMaxZoom), tiles.GetProperty("onDemandZooms").EnumerateArray().Select(z => z.GetInt32()));
        Assert.True(json.RootElement.GetProperty("timingsMs").TryGetProperty("tiles", out _));
    }
}
