using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TileServer.Api.Tests.Support;
using static TileServer.Api.Tests.Aggregation.AggregateClient;

namespace TileServer.Api.Tests.Aggregation;

/// <summary>Every kind of bad input to <c>/v1/aggregate</c> gets problem+json naming what is wrong and where, never
/// a 500.</summary>
[Collection(SampleCollection.Name)]
public class AggregationBadInputApiTests(SampleServerFixture sample)
{
    private const string Square = "[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-9.9],[-74,-10]]]";

    public static TheoryData<string, int, string, string> BadBodies => new()
    {
        { "hello", 400, "notGeoJson", "not valid JSON" },
        { "", 400, "notGeoJson", "empty" },
        { "[1,2]", 400, "notGeoJson", "must be a GeoJSON object" },
        { """{"foo":1}""", 400, "notGeoJson", "\"type\"" },
        { """{"type":"Circle","coordinates":[]}""", 400, "notGeoJson", "Circle" },
        { """{"type":"Polygon","coordinates":[[[-74,-10],[-73.9,-10]""", 400, "notGeoJson", "not valid JSON" },
        { """{"type":"Point","coordinates":[-74,-10]}""", 400, "notPolygonal", "Point" },
        { """{"type":"GeometryCollection","geometries":[]}""", 400, "notPolygonal", "GeometryCollection" },
        { """{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[-74,-10],[-73,-9]]}}""", 400, "notPolygonal", "LineString" },
        { """{"type":"Feature","properties":{},"geometry":null}""", 400, "empty", "null" },
        { """{"type":"Polygon","coordinates":[[[500000,8500000],[510000,8500000],[510000,8510000],[500000,8500000]]]}""", 400, "coordinateOutOfRange", "UTM" },
        { """{"type":"Polygon","coordinates":[[[-74,89],[-73,89],[-73,95],[-74,89]]]}""", 400, "coordinateOutOfRange", "coordinates[0][2]" },
        { """{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,-9],[-74,-9]]]}""", 400, "notGeoJson", "not closed" },
        { """{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-74,-10]]]}""", 400, "notGeoJson", "at least 4" },
        { """{"type":"Polygon","coordinates":[[[-74,"-10"],[-73,-10],[-73,-9],[-74,-10]]]}""", 400, "notGeoJson", "coordinates[0][0]" },
        { """{"type":"Polygon","coordinates":[[[-74],[-73,-10],[-73,-9],[-74,-10]]]}""", 400, "notGeoJson", "[longitude, latitude]" },
        { """{"type":"Polygon","coordinates":[]}""", 400, "empty", "empty" },
        { """{"type":"MultiPolygon","coordinates":[[[-74,-10],[-73,-10],[-73,-9],[-74,-10]]]}""", 400, "notGeoJson", "coordinates[0][0][0] must be a position" },
        { $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":{{{Square}}}}},{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}]}""", 400, "notPolygonal", "features[1]" },
        { """{"type":"FeatureCollection","features":{}}""", 400, "notGeoJson", "features" },
        { """{"type":"FeatureCollection","features":[null]}""", 400, "notGeoJson", "features[0] must be a GeoJSON object" },
        { """{"type":"FeatureCollection","features":[{"type":"Polygon","coordinates":[]}]}""", 400, "notGeoJson", "features[0]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_are_named_problems(string body, int status, string problem, string detailMentions)
    {
        using var response = await PostAsync(sample.Client, body);

        var problemBody = await ProblemAssert.IsProblemAsync(response, status);
        Assert.Contains(detailMentions, problemBody.Detail, StringComparison.Ordinal);
        Assert.Contains($"\"problem\":\"{problem}\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "", "bbox=" },
        { "?bbox=1,2,3", "four numbers" },
        { "?bbox=a,b,c,d", "four numbers" },
        { "?bbox=-75,-9,-70,-10", "minLat below maxLat" },
        { "?bbox=-75,-10,-75,-9", "minLon other than maxLon" },
        { "?bbox=-75,-100,-70,-9", "latitude" },
        { "?bbox=-75,-10,-70,-9&lat=1", "not both" },
        { "?lat=-12&lon=-75", "radiusKm" },
        { "?lat=-12&lon=-75&radiusKm=0", "positive" },
        { "?lat=-12&lon=-75&radiusKm=-5", "positive" },
        { "?lat=-12&lon=-75&radiusKm=NaN", "positive" },
        { "?lat=-12&lon=-75&radiusKm=1e9", "limit" },
        { "?lat=-12&lon=-75&radiusKm=ten", "radiusKm must be a number" },
        { "?lat=95&lon=-75&radiusKm=10", "latitude" },
        { "?lat=-12&lon=-75&radiusKm=10&breakdown=maybe", "breakdown" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_query_parameters_are_named_problems(string query, string detailMentions)
    {
        using var response = await sample.Client.GetAsync($"/v1/aggregate{query}");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(detailMentions, problem.Detail, StringComparison.Ordinal);
    }

    /// <summary>A valid FeatureCollection cut short at many points is always a 400, never a 500 or a hang.</summary>
    [Fact]
    public async Task Truncated_bodies_are_400_never_500()
    {
        var body = $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","id":1,"properties":{"a":[1,{"b":null}]},"geometry":{"type":"MultiPolygon","coordinates":[{{{Square}}}]}}]}""";

        for (var length = 0; length < body.Length; length += 3)
        {
            using var response = await PostAsync(sample.Client, body[..length]);
            await ProblemAssert.IsProblemAsync(response, 400);
        }

        Assert.Equal(200, (int)(await PostAsync(sample.Client, body)).StatusCode);
    }
}

/// <summary>A server over the sample with small limits, to reach every limit cheaply.</summary>
public sealed class StrictSampleServerFixture : IAsyncLifetime
{
    public TileServerFactory Factory { get; } = new(new Dictionary<string, string?>
    {
        ["Aggregation:MaxVertices"] = "20",
        ["Aggregation:MaxFeatures"] = "2",
        ["Aggregation:MaxBodyBytes"] = "4096",
        ["Aggregation:MaxDepth"] = "8",
        ["Aggregation:MaxRadiusKm"] = "100",
        ["Aggregation:InvalidRings"] = "Reject",
    });

    public HttpClient Client => Factory.CreateClient();

    public async Task InitializeAsync() => await Factory.ReadyAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public class AggregationLimitsApiTests(StrictSampleServerFixture strict) : IClassFixture<StrictSampleServerFixture>
{
    private static string Polygon(int vertices)
    {
        var ring = Enumerable.Range(0, vertices - 1)
            .Select(i => Invariant($"[{-74 + (0.1 * Math.Cos(2 * Math.PI * i / (vertices - 1)))},{-10 + (0.1 * Math.Sin(2 * Math.PI * i / (vertices - 1)))}]"))
            .ToList();
        ring.Add(ring[0]);
        return $$"""{"type":"Polygon","coordinates":[[{{string.Join(",", ring)}}]]}""";
    }

    private static string Feature(string geometry) => $$"""{"type":"Feature","properties":{},"geometry":{{geometry}}}""";

    [Fact]
    public async Task Within_the_limits_a_polygon_is_answered()
    {
        using var response = await PostAsync(strict.Client, Polygon(20));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task More_vertices_than_the_limit_is_413()
    {
        using var response = await PostAsync(strict.Client, Polygon(21));

        var problem = await ProblemAssert.IsProblemAsync(response, 413);
        Assert.Contains("more than 20 vertices", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_vertices_than_the_limit_across_features_is_413()
    {
        using var response = await PostAsync(strict.Client, $$"""{"type":"FeatureCollection","features":[{{Feature(Polygon(12))}},{{Feature(Polygon(12))}}]}""");

        var problem = await ProblemAssert.IsProblemAsync(response, 413);
        Assert.Contains("features[1]", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task More_features_than_the_limit_is_413()
    {
        var feature = Feature(Polygon(5));
        using var response = await PostAsync(strict.Client, $$"""{"type":"FeatureCollection","features":[{{feature}},{{feature}},{{feature}}]}""");

        var problem = await ProblemAssert.IsProblemAsync(response, 413);
        Assert.Contains("more than 2 features", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_with_or_without_content_length()
    {
        var body = $$"""{"type":"Feature","properties":{"note":"{{new string('x', 5000)}}"},"geometry":{{Polygon(5)}}}""";

        using var declared = await PostAsync(strict.Client, body);
        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/aggregate") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var streamed = await strict.Client.SendAsync(request);

        Assert.Contains("4096 bytes", (await ProblemAssert.IsProblemAsync(declared, 413)).Detail, StringComparison.Ordinal);
        Assert.Contains("4096 bytes", (await ProblemAssert.IsProblemAsync(streamed, 413)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nesting_deeper_than_the_limit_is_400()
    {
        using var response = await PostAsync(strict.Client, $$"""{"type":"Feature","properties":{"a":[[[[[[[1]]]]]]]},"geometry":{{Polygon(5)}}}""");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("more than 8 levels", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_multipolygon_feature_in_a_collection_fits_the_smallest_depth_limit()
    {
        var multi = Polygon(5).Replace("\"Polygon\"", "\"MultiPolygon\"", StringComparison.Ordinal).Replace("[[[", "[[[[", StringComparison.Ordinal).Replace("]]]", "]]]]", StringComparison.Ordinal);

        using var response = await PostAsync(strict.Client, $$"""{"type":"FeatureCollection","features":[{{Feature(multi)}}]}""");

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_self_intersecting_ring_is_rejected_when_configured_so()
    {
        using var response = await PostAsync(strict.Client, """{"type":"Polygon","coordinates":[[[-74.2,-10.2],[-73.8,-9.8],[-73.8,-10.2],[-74.2,-9.8],[-74.2,-10.2]]]}""");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Equal("Invalid ring", problem.Title);
        Assert.Contains("Self-intersection", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_radius_over_the_configured_limit_is_400()
    {
        using var response = await strict.Client.GetAsync("/v1/aggregate?lat=-10&lon=-74&radiusKm=150");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains("limit is 100 km", problem.Detail, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, int> ProblemCodeRequests => new()
    {
        { "bodyTooLarge", "POST " + $$"""{"type":"Feature","properties":{"note":"{{new string('x', 5000)}}"},"geometry":{{Polygon(5)}}}""", 413 },
        { "tooDeep", "POST " + $$"""{"type":"Feature","properties":{"a":[[[[[[[1]]]]]]]},"geometry":{{Polygon(5)}}}""", 400 },
        { "tooManyVertices", "POST " + Polygon(21), 413 },
        { "tooManyFeatures", "POST " + $$"""{"type":"FeatureCollection","features":[{{Feature(Polygon(5))}},{{Feature(Polygon(5))}},{{Feature(Polygon(5))}}]}""", 413 },
        { "invalidRing", "POST " + """{"type":"Polygon","coordinates":[[[-74.2,-10.2],[-73.8,-9.8],[-73.8,-10.2],[-74.2,-9.8],[-74.2,-10.2]]]}""", 400 },
        { "invalidBox", "GET /v1/aggregate?bbox=-73,-9,-74,-10", 400 },
        { "invalidRadius", "GET /v1/aggregate?lat=-10&lon=-74&radiusKm=150", 400 },
        { "invalidRadius", "GET /v1/aggregate?lat=-10&lon=-74&radiusKm=-1", 400 },
    };

    [Theory]
    [MemberData(nameof(ProblemCodeRequests))]
    public async Task Each_readme_problem_code_is_on_the_wire(string code, string request, int status)
    {
        using var response = request.StartsWith("GET ", StringComparison.Ordinal)
            ? await strict.Client.GetAsync(request[4..])
            : await PostAsync(strict.Client, request[5..]);

        await ProblemAssert.IsProblemAsync(response, status);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, body.RootElement.GetProperty("problem").GetString());
    }

    [Fact]
    public async Task Invalid_limits_stop_the_server_at_start()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Aggregation:MaxDepth"] = "3" });

        var error = Assert.Throws<OptionsValidationException>(() => factory.Services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.Contains("Aggregation:MaxDepth must be between 8", StringComparison.Ordinal));
    }
}
