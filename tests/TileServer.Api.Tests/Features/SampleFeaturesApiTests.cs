using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.IO.Esri;
using TileServer.Api.Tests.Support;
using TileServer.Core.Model;

namespace TileServer.Api.Tests.Features;

/// <summary>
/// The OGC API door over the embedded sample, checked from outside: paths, fields and media types of the contract,
/// and answers against the loaded units (the model, not the feature sets that produce the answers).
/// </summary>
[Collection(SampleCollection.Name)]
public class SampleFeaturesApiTests(SampleServerFixture sample)
{
    private HttpClient Client => sample.Client;

    [Theory]
    [InlineData(null)]
    [InlineData("*/*")]
    [InlineData("application/json")]
    public async Task Landing_page_is_json_for_api_clients(string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await Client.SendAsync(request);
        var landing = await Json(response);

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrWhiteSpace(landing.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(landing.GetProperty("description").GetString()));
        var links = Links(landing);
        Assert.Equal(("application/vnd.oai.openapi+json;version=3.0", "/api"), Rel(links, "service-desc"));
        Assert.Equal(("text/html", "/api.html"), Rel(links, "service-doc"));
        Assert.Equal(("application/json", "/conformance"), Rel(links, "conformance"));
        Assert.Equal(("application/json", "/collections"), Rel(links, "data"));
        Assert.Equal("/tiles/poverty.json", Rel(links, "tiles").Href);
        Assert.Equal("/", Rel(links, "self").Href);
    }

    [Theory]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", null)]
    [InlineData("application/json", "html")]
    public async Task Landing_page_is_html_for_browsers_and_f_html(string accept, string? f)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, f is null ? "/" : $"/?f={f}");
        request.Headers.Accept.ParseAdd(accept);

        using var response = await Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>", html, StringComparison.Ordinal);
        Assert.Contains("/api.html", html, StringComparison.Ordinal);
        Assert.Contains("/collections", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conformance_lists_the_classes_clients_look_for()
    {
        var conformance = await Json(await Client.GetAsync("/conformance"));
        var classes = conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()).ToHashSet();

        foreach (var required in new[]
        {
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs", "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter", "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
            "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters", "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
            "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json", "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
            "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators", "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        })
        {
            Assert.Contains(required, classes);
        }
    }

    [Fact]
    public async Task Collections_describe_the_three_levels()
    {
        var collections = await Json(await Client.GetAsync("/collections"));
        var list = collections.GetProperty("collections").EnumerateArray().ToList();

        Assert.Equal(["departments", "provinces", "districts"], list.Select(c => c.GetProperty("id").GetString()));
        foreach (var collection in list)
        {
            var id = collection.GetProperty("id").GetString()!;
            var layer = sample.Snapshot.Layer(id switch { "departments" => AdminLevel.Department, "provinces" => AdminLevel.Province, _ => AdminLevel.District });
            Assert.Equal("feature", collection.GetProperty("itemType").GetString());
            var bbox = collection.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var envelope = layer.Units.Select(u => u.Geometry.EnvelopeInternal).Aggregate(new NetTopologySuite.Geometries.Envelope(), (e, u) => { e.ExpandToInclude(u); return e; });
            Assert.Equal([envelope.MinX, envelope.MinY, envelope.MaxX, envelope.MaxY], bbox, (a, b) => Math.Abs(a - b) < 1e-6);
            Assert.Equal("http://www.opengis.net/def/crs/OGC/1.3/CRS84", collection.GetProperty("storageCrs").GetString());
            var crs = collection.GetProperty("crs").EnumerateArray().Select(c => c.GetString()).ToList();
            Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/32718", crs);
            Assert.Contains("datetime", collection.GetProperty("description").GetString(), StringComparison.Ordinal);
            var links = Links(collection);
            Assert.Contains(links, l => l.Rel == "items" && l.Type == "application/geo+json" && l.Href == $"/collections/{id}/items");
            Assert.Contains(links, l => l.Rel == "http://www.opengis.net/def/rel/ogc/1.0/queryables" && l.Href == $"/collections/{id}/queryables");
            Assert.Contains(links, l => l.Rel == "describedby" && l.Type == "application/schema+json" && l.Href == $"/collections/{id}/schema");
            Assert.Contains(links, l => l.Rel == "alternate" && l.Type == "text/html");
            Assert.Contains(links, l => l.Href == "/tiles/poverty.json");

            var one = await Json(await Client.GetAsync($"/collections/{id}"));
            Assert.Equal(id, one.GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task Items_are_geojson_with_the_paging_fields()
    {
        using var response = await Client.GetAsync("/collections/districts/items?limit=7");
        var page = await Json(response);

        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("FeatureCollection", page.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Number, page.GetProperty("numberMatched").ValueKind);
        Assert.Equal(sample.Snapshot.Districts.Units.Count, page.GetProperty("numberMatched").GetInt32());
        Assert.Equal(7, page.GetProperty("numberReturned").GetInt32());
        Assert.True(DateTimeOffset.TryParse(page.GetProperty("timeStamp").GetString(), out _));
        var links = Links(page);
        Assert.Contains(links, l => l.Rel == "self");
        Assert.Contains(links, l => l.Rel == "alternate" && l.Type == "text/html");
        Assert.Contains(links, l => l.Rel == "alternate" && l.Type == "text/csv");
        Assert.Contains(links, l => l.Rel == "alternate" && l.Type == "application/geopackage+sqlite3");
        Assert.Contains(links, l => l.Rel == "alternate" && l.Type == "application/zip");
        Assert.DoesNotContain(links, l => l.Rel == "prev");
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", response.Headers.GetValues("Content-Crs").Single());
    }

    [Fact]
    public async Task Following_next_returns_every_feature_once_in_code_order()
    {
        var ids = new List<string>();
        string? next = "/collections/districts/items?limit=37";
        var pages = 0;
        while (next is not null)
        {
            var page = await Json(await Client.GetAsync(next));
            ids.AddRange(page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!));
            var links = Links(page);
            next = links.FirstOrDefault(l => l.Rel == "next").Href;
            Assert.Equal(++pages > 1, links.Any(l => l.Rel == "prev"));
            Assert.True(pages < 100);
        }

        Assert.Equal(sample.Snapshot.Districts.Units.Select(u => u.Code), ids);
    }

    [Fact]
    public async Task Limit_defaults_to_100_and_is_capped_at_10000()
    {
        var byDefault = await Json(await Client.GetAsync("/collections/districts/items?skipGeometry=true"));
        var huge = await Json(await Client.GetAsync("/collections/districts/items?limit=50000&skipGeometry=true"));

        Assert.Equal(Math.Min(100, sample.Snapshot.Districts.Units.Count), byDefault.GetProperty("numberReturned").GetInt32());
        Assert.Equal(sample.Snapshot.Districts.Units.Count, huge.GetProperty("numberReturned").GetInt32());
        Assert.DoesNotContain(Links(huge), l => l.Rel == "next");
    }

    [Fact]
    public async Task Feature_properties_are_the_flattened_unit_with_missing_values_null()
    {
        var snapshot = sample.Snapshot;
        var unit = snapshot.Districts.Units.First(u => u.Values.Any(v => v is null));
        var feature = await Json(await Client.GetAsync($"/collections/districts/items/{unit.Code}"));
        var properties = feature.GetProperty("properties");

        Assert.Equal(unit.Code, feature.GetProperty("id").GetString());
        Assert.Equal(unit.Code, properties.GetProperty("code").GetString());
        Assert.Equal(unit.Name, properties.GetProperty("name").GetString());
        Assert.Equal(unit.ProvinceCode, properties.GetProperty("province").GetString());
        Assert.Equal(snapshot.Provinces.Find(unit.ProvinceCode!)!.Name, properties.GetProperty("province_name").GetString());
        Assert.Equal(unit.DepartmentCode, properties.GetProperty("department").GetString());
        Assert.Equal(snapshot.Departments.Find(unit.DepartmentCode!)!.Name, properties.GetProperty("department_name").GetString());
        Assert.Equal(Math.Round(unit.AreaKm2, 3), properties.GetProperty("area_km2").GetDouble());
        Assert.Equal(snapshot.Version, properties.GetProperty("dataset_version").GetString());
        for (var c = 0; c < snapshot.Districts.Columns.Count; c++)
        {
            var value = properties.GetProperty(snapshot.Districts.Columns[c].Name);
            switch (unit.Values[c])
            {
                case null:
                    Assert.Equal(JsonValueKind.Null, value.ValueKind);
                    break;
                case double d:
                    Assert.Equal(d, value.GetDouble());
                    break;
                case string s:
                    Assert.Equal(s, value.GetString());
                    break;
            }
        }

        var links = Links(feature);
        Assert.Contains(links, l => l.Rel == "self");
        Assert.Contains(links, l => l.Rel == "collection" && l.Href == "/collections/districts");
    }

    [Fact]
    public async Task Unknown_feature_and_collection_are_404_problems()
    {
        await ProblemAssert.IsProblemAsync(await Client.GetAsync("/collections/districts/items/999999"), 404);
        var problem = await ProblemAssert.IsProblemAsync(await Client.GetAsync("/collections/rivers/items"), 404);
        Assert.Contains("departments, provinces, districts", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_on_items_allows_get_and_head()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/collections/districts/items");
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["GET", "HEAD"], response.Content.Headers.Allow.Order());
    }

    [Fact]
    public async Task Crs_4326_writes_latitude_first_and_3857_web_mercator_metres()
    {
        var unit = sample.Snapshot.Districts.Units[0];
        var first = unit.Geometry.Coordinates[0];
        var lat = await Json(await Client.GetAsync($"/collections/districts/items/{unit.Code}?crs=http://www.opengis.net/def/crs/EPSG/0/4326"));
        var mercator = await Json(await Client.GetAsync($"/collections/districts/items/{unit.Code}?crs=EPSG:3857"));

        var latFirst = FirstPosition(lat.GetProperty("geometry"));
        Assert.Equal(first.Y, latFirst[0], 1e-7);
        Assert.Equal(first.X, latFirst[1], 1e-7);
        var metres = FirstPosition(mercator.GetProperty("geometry"));
        const double R = 6378137;
        Assert.Equal(R * first.X * Math.PI / 180, metres[0], 0.01);
        Assert.Equal(R * Math.Log(Math.Tan(Math.PI / 4 + first.Y * Math.PI / 360)), metres[1], 0.01);
    }

    [Fact]
    public async Task Unknown_crs_is_a_400_problem()
    {
        var problem = await ProblemAssert.IsProblemAsync(await Client.GetAsync("/collections/districts/items?crs=EPSG:2000"), 400);
        Assert.Contains("EPSG:2000", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_filter_is_a_400_problem_naming_the_position()
    {
        var problem = await ProblemAssert.IsProblemAsync(await Client.GetAsync("/collections/districts/items?filter=" + Uri.EscapeDataString("pobreza_pct > 10 AND nmae = 'x'")), 400);

        Assert.Contains("unknown property 'nmae'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("at character 22", problem.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pobreza_pct > 50")]
    [InlineData("pobreza_pct IS NULL OR poblacion < 5000")]
    [InlineData("department IN ('01','03') AND NOT pobreza_pct BETWEEN 20 AND 60")]
    public async Task Filters_agree_with_the_loaded_values(string filter)
    {
        var districts = sample.Snapshot.Districts;
        double? Value(AdminUnit u, string column) => u.Values[districts.Columns.Select(c => c.Name).ToList().IndexOf(column)] as double?;
        Func<AdminUnit, bool> oracle = filter switch
        {
            "pobreza_pct > 50" => u => Value(u, "pobreza_pct") > 50,
            "pobreza_pct IS NULL OR poblacion < 5000" => u => Value(u, "pobreza_pct") is null || Value(u, "poblacion") < 5000,
            _ => u => u.DepartmentCode is "01" or "03" && Value(u, "pobreza_pct") is { } p && !(p >= 20 && p <= 60),
        };

        var page = await Json(await Client.GetAsync("/collections/districts/items?limit=10000&skipGeometry=true&filter=" + Uri.EscapeDataString(filter)));

        var expected = districts.Units.Where(oracle).Select(u => u.Code).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
        Assert.Equal(expected.Count, page.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task Strong_etag_and_304_on_if_none_match()
    {
        using var first = await Client.GetAsync("/collections/provinces/items?limit=3");
        var etag = first.Headers.ETag;

        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections/provinces/items?limit=3");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        using var other = await Client.GetAsync("/collections/provinces/items?limit=4");
        Assert.NotEqual(etag, other.Headers.ETag);
        using var landing = await Client.GetAsync("/conformance");
        Assert.NotNull(landing.Headers.ETag);
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("br")]
    public async Task Answers_are_compressed_when_accepted(string coding)
    {
        using var plain = await Client.GetAsync("/collections/districts/items?limit=50");
        var expected = await plain.Content.ReadAsByteArrayAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections/districts/items?limit=50");
        request.Headers.AcceptEncoding.ParseAdd(coding);

        using var response = await Client.SendAsync(request);
        var compressed = await response.Content.ReadAsByteArrayAsync();
        using var input = new MemoryStream(compressed);
        using Stream decoder = coding == "br" ? new BrotliStream(input, CompressionMode.Decompress) : new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        await decoder.CopyToAsync(output);

        Assert.Equal(coding, response.Content.Headers.ContentEncoding.Single());
        Assert.True(compressed.Length < expected.Length / 2);
        Assert.Equal(expected, output.ToArray());
        Assert.NotEqual(plain.Headers.ETag, response.Headers.ETag);
    }

    [Fact]
    public async Task Cors_is_allowed_for_browsers()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections");
        request.Headers.Add("Origin", "https://example.org");

        using var response = await Client.SendAsync(request);

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Queryables_and_schema_are_json_schema_with_types_and_units()
    {
        foreach (var path in new[] { "queryables", "schema" })
        {
            using var response = await Client.GetAsync($"/collections/districts/{path}");
            var schema = await Json(response);

            Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
            var properties = schema.GetProperty("properties");
            Assert.Equal("string", properties.GetProperty("code").GetProperty("type").GetString());
            Assert.Equal("number", properties.GetProperty("pobreza_pct").GetProperty("type").GetString());
            Assert.Equal("%", properties.GetProperty("pobreza_pct").GetProperty("x-ogc-unit").GetString());
            Assert.Equal("integer", properties.GetProperty("poblacion").GetProperty("type").GetString());
            Assert.False(string.IsNullOrEmpty(properties.GetProperty("pobreza_pct").GetProperty("title").GetString()));
            Assert.StartsWith("geometry-", properties.GetProperty("geometry").GetProperty("format").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Csv_has_one_row_per_feature_and_empty_cells_for_missing_values()
    {
        using var response = await Client.GetAsync("/collections/districts/items?f=csv&limit=10000&geometry=wkt");
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        var header = lines[0].Split(',');

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("districts.csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal("id", header[0]);
        Assert.Equal("geometry", header[^1]);
        Assert.Equal(sample.Snapshot.Districts.Units.Count + 1, lines.Count);
        var column = Array.IndexOf(header, "pobreza_pct");
        var missing = sample.Snapshot.Districts.Units.Where(u => u.Values[sample.Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("pobreza_pct")] is null).Select(u => u.Code).ToHashSet();
        Assert.NotEmpty(missing);
        foreach (var line in lines.Skip(1).Where(l => missing.Contains(l[..6])))
        {
            Assert.Equal("", line.Split(',')[column]);
        }

        Assert.Contains("POLYGON", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task GeoPackage_download_has_every_feature_and_typed_columns()
    {
        using var response = await Client.GetAsync("/collections/districts/items?f=gpkg");
        var path = Path.Combine(Path.GetTempPath(), $"tileserver-test-{Guid.NewGuid():N}.gpkg");
        await File.WriteAllBytesAsync(path, await response.Content.ReadAsByteArrayAsync());
        try
        {
            Assert.Equal("application/geopackage+sqlite3", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("districts.gpkg", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var count = connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM districts";
            Assert.Equal((long)sample.Snapshot.Districts.Units.Count, (long)count.ExecuteScalar()!);
            using var columns = connection.CreateCommand();
            columns.CommandText = "SELECT name, type FROM pragma_table_info('districts')";
            var types = new Dictionary<string, string>();
            using (var reader = columns.ExecuteReader())
            {
                while (reader.Read())
                {
                    types[reader.GetString(0)] = reader.GetString(1);
                }
            }

            Assert.Equal("MULTIPOLYGON", types["geom"]);
            Assert.Equal("TEXT", types["code"]);
            Assert.Equal("REAL", types["pobreza_pct"]);
            Assert.Equal("INTEGER", types["poblacion"]);
            using var contents = connection.CreateCommand();
            contents.CommandText = "SELECT data_type, srs_id FROM gpkg_contents WHERE table_name = 'districts'";
            using var row = contents.ExecuteReader();
            Assert.True(row.Read());
            Assert.Equal("features", row.GetString(0));
            Assert.Equal(4326, row.GetInt32(1));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Shapefile_download_is_a_zip_with_prj_and_cpg_that_reads_back()
    {
        using var response = await Client.GetAsync("/collections/provinces/items?f=shp&crs=EPSG:32718");
        var folder = Path.Combine(Path.GetTempPath(), $"tileserver-test-{Guid.NewGuid():N}");
        try
        {
            using (var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync())))
            {
                Assert.Equal(["provinces.cpg", "provinces.dbf", "provinces.prj", "provinces.shp", "provinces.shx", "provinces_fields.csv"], zip.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
                zip.ExtractToDirectory(folder);
            }

            Assert.Equal("provinces.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
            Assert.Equal("UTF-8", await File.ReadAllTextAsync(Path.Combine(folder, "provinces.cpg")));
            Assert.Contains("UTM", await File.ReadAllTextAsync(Path.Combine(folder, "provinces.prj")), StringComparison.Ordinal);
            var features = Shapefile.ReadAllFeatures(Path.Combine(folder, "provinces.shp"));
            Assert.Equal(sample.Snapshot.Provinces.Units.Select(u => u.Code), features.Select(f => (string)f.Attributes["code"]));
            Assert.Contains("dept_name", features[0].Attributes.GetNames());
            Assert.InRange(features[0].Geometry.Coordinates[0].X, 100_000, 900_000);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, true);
            }
        }
    }

    [Fact]
    public async Task Html_items_page_is_a_table_with_a_map()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/collections/districts/items?limit=5");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await Client.SendAsync(request);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Equal(5, html.Split("<path ").Length - 1);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.Contains(sample.Snapshot.Districts.Units[0].Code, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Datetime_is_accepted_and_filters_nothing()
    {
        var page = await Json(await Client.GetAsync("/collections/districts/items?limit=1&datetime=2018-01-01T00:00:00Z"));
        Assert.Equal(sample.Snapshot.Districts.Units.Count, page.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task OpenApi_document_is_3_0_with_limit_default_and_maximum()
    {
        using var response = await Client.GetAsync("/api");
        var document = await Json(response);

        Assert.Equal("application/vnd.oai.openapi+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("3.0", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var limit = document.GetProperty("components").GetProperty("parameters").GetProperty("limit").GetProperty("schema");
        Assert.Equal(100, limit.GetProperty("default").GetInt32());
        Assert.Equal(10000, limit.GetProperty("maximum").GetInt32());
        var items = document.GetProperty("paths").GetProperty("/collections/districts/items").GetProperty("get");
        var names = items.GetProperty("parameters").EnumerateArray().Select(p => p.TryGetProperty("name", out var n) ? n.GetString() : p.GetProperty("$ref").GetString()).ToList();
        Assert.Contains("#/components/parameters/limit", names);
        Assert.Contains("department", names);
        Assert.Contains("filter", names);
    }

    [Fact]
    public async Task OpenApi_document_covers_every_route_of_the_server()
    {
        var document = await Json(await Client.GetAsync("/api"));
        var paths = document.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateObject().Select(o => o.Name.ToUpperInvariant()).ToHashSet());
        var routes = sample.Factory.Services.GetServices<Microsoft.AspNetCore.Routing.EndpointDataSource>()
            .SelectMany(s => s.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>() is not null)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api.html", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            var path = "/" + route.RoutePattern.RawText!.TrimStart('/');
            Assert.True(paths.TryGetValue(path, out var methods), $"{path} is not in the OpenAPI document");
            var declared = route.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.IHttpMethodMetadata>()!.HttpMethods.Where(m => m != "HEAD");
            Assert.All(declared, m => Assert.Contains(m, methods));
        }
    }

    [Fact]
    public async Task Api_html_serves_scalar_and_its_script_from_the_server()
    {
        using var page = await Client.GetAsync("/api.html/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await Client.GetAsync("/api.html/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.DoesNotContain("cdn.", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
        Assert.Contains("\"../api\"", html, StringComparison.Ordinal);
    }

    private static double[] FirstPosition(JsonElement geometry)
    {
        var coordinates = geometry.GetProperty("coordinates");
        while (coordinates[0].ValueKind == JsonValueKind.Array)
        {
            coordinates = coordinates[0];
        }

        return [.. coordinates.EnumerateArray().Select(v => v.GetDouble())];
    }

    private static async Task<JsonElement> Json(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static List<(string Href, string Rel, string Type)> Links(JsonElement document) =>
        [.. document.GetProperty("links").EnumerateArray().Select(l => (new Uri(l.GetProperty("href").GetString()!).PathAndQuery, l.GetProperty("rel").GetString()!, l.GetProperty("type").GetString()!))];

    private static (string Type, string Href) Rel(List<(string Href, string Rel, string Type)> links, string rel)
    {
        var link = Assert.Single(links, l => l.Rel == rel);
        return (link.Type, link.Href);
    }
}
