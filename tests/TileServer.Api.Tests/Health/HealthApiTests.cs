using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TileServer.Api.Tests.Support;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Health;

public class HealthApiTests
{
    [Fact]
    public async Task Ready_and_every_v1_tiles_collections_and_styles_route_are_503_problem_with_Retry_After_until_a_dataset_is_published()
    {
        await using var factory = new NotLoadingFactory();
        using var client = factory.CreateClient();
        var routes = DatasetRoutes(factory.Services);
        Assert.Contains(routes, r => r.Path == "/tiles/poverty/0/0/0.mvt");
        Assert.Contains(routes, r => r is { Method: "POST", Path: "/v1/lookup" });
        Assert.Contains(routes, r => r.Path == "/v1/dataset");
        Assert.Contains(routes, r => r.Path == "/collections/districts/items");
        Assert.Contains(routes, r => r.Path == "/styles/poverty.json");

        using var live = await client.GetAsync("/health/live");
        using var notReady = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await ProblemAssert.IsProblemAsync(notReady, 503);
        foreach (var (method, path) in routes)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null });
            await ProblemAssert.IsProblemAsync(response, 503);
            Assert.True(response.Headers.RetryAfter is not null, $"{method} {path}: 503 without Retry-After");
        }

        var dataset = factory.Services.GetRequiredService<ServedDatasetBuilder>().Build();
        factory.Services.GetRequiredService<DatasetStore>().Publish(dataset);

        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(dataset.Version, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        foreach (var (method, path) in routes)
        {
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? JsonContent.Create(new { }) : null });
            Assert.NotEqual(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
    }

    /// <summary>Every mapped route under <c>/v1</c>, <c>/tiles</c>, <c>/collections</c> and <c>/styles</c>, with its parameters filled in, by method.</summary>
    private static List<(string Method, string Path)> DatasetRoutes(IServiceProvider services)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["z"] = "0", ["x"] = "0", ["y"] = "0", ["format"] = "mvt", ["version"] = "0123456789abcdef", ["code"] = "01", ["collectionId"] = "districts", ["featureId"] = "010101" };
        return
        [
            .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                .Where(e => e.RoutePattern.RawText is { } raw && (raw.StartsWith("/v1/", StringComparison.Ordinal) || raw.StartsWith("/tiles/", StringComparison.Ordinal) || raw.StartsWith("/collections", StringComparison.Ordinal) || raw.StartsWith("/styles/", StringComparison.Ordinal)))
                .Select(e => (Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [], Path: "/" + string.Join("/", e.RoutePattern.PathSegments.Select(segment =>
                    string.Concat(segment.Parts.Select(part => part switch
                    {
                        RoutePatternLiteralPart literal => literal.Content,
                        RoutePatternSeparatorPart separator => separator.Content,
                        RoutePatternParameterPart parameter => values[parameter.Name],
                        _ => throw new InvalidOperationException(part.ToString()),
                    }))))))
                .SelectMany(e => e.Methods.Where(m => m is "GET" or "POST").Select(m => (m, e.Path))),
        ];
    }

    [Theory]
    [InlineData("GET", "/v1/dataset")]
    [InlineData("GET", "/v1/districts/010101")]
    [InlineData("GET", "/v1/provinces/0101")]
    [InlineData("GET", "/v1/departments/01")]
    [InlineData("GET", "/v1/aggregate?bbox=-75,-10,-74,-9")]
    [InlineData("GET", "/v1/aggregate?lat=-10&lon=-74&radiusKm=5")]
    [InlineData("POST", "/v1/aggregate")]
    [InlineData("GET", "/v1/lookup?lat=-10&lon=-74")]
    [InlineData("POST", "/v1/lookup")]
    [InlineData("GET", "/tiles/poverty.json")]
    [InlineData("GET", "/tiles/poverty/0/0/0.mvt")]
    [InlineData("HEAD", "/v1/dataset")]
    public async Task Every_503_while_the_dataset_loads_carries_Retry_After(string method, string path)
    {
        await using var factory = new NotLoadingFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"type":"Polygon","coordinates":[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-10]]]}""", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Delta!.Value.TotalSeconds, 1, 3600);
    }

    /// <summary>The server over the embedded sample with its background load removed, so that nothing is published.</summary>
    private sealed class NotLoadingFactory() : TileServerFactory(new Dictionary<string, string?>())
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DatasetLoadService").ToList())
                {
                    services.Remove(hosted);
                }
            });
        }
    }

    /// <summary>A missing file (README: exit code 2) or a value the binder cannot convert: one line naming it, no stack trace.</summary>
    [Theory]
    [InlineData("--Dataset:Districts=/nonexistent/districts.shp", "/nonexistent/districts.shp")]
    [InlineData("--Dataset:Estimates=/nonexistent/poverty.csv", "/nonexistent/poverty.csv")]
    [InlineData("--Lookup:MaxSnapMetres=abc", "Lookup:MaxSnapMetres")]
    [InlineData("--Tiles:MaxZoom=12.5", "Tiles:MaxZoom")]
    public async Task A_configuration_error_stops_start_up_with_one_line_naming_it_and_exit_code_2(string argument, string named)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync(argument, "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_file_stops_the_server_with_one_line_and_exit_code_1()
    {
        var folder = Directory.CreateTempSubdirectory("tileserver-api-");
        try
        {
            var shp = Path.Combine(folder.FullName, "broken.shp");
            await File.WriteAllBytesAsync(shp, new byte[50]);
            await File.WriteAllBytesAsync(Path.ChangeExtension(shp, ".shx"), new byte[50]);
            await File.WriteAllBytesAsync(Path.ChangeExtension(shp, ".dbf"), new byte[50]);

            var csv = Path.Combine(folder.FullName, "estimates.csv");
            await File.WriteAllTextAsync(csv, "ubigeo,poblacion\n010101,1\n");

            var (exitCode, _, stderr) = await ServerProcess.RunAsync($"--Dataset:Districts={shp}", $"--Dataset:Estimates={csv}", "--urls=http://127.0.0.1:0");

            Assert.Equal(1, exitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(shp, line, StringComparison.Ordinal);
            Assert.Contains("truncated", line, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
