using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>
/// "Every GET endpoint also answers HEAD (the same headers, no body)" on the wire: the server run as a process on
/// Kestrel (the in-process test server passes a body written for HEAD through; Kestrel must not).
/// </summary>
public class HeadOverKestrelTests
{
    [Fact]
    public async Task Head_on_every_get_route_of_a_real_server_has_the_get_headers_and_no_body()
    {
        await using var server = await KestrelServer.StartAsync();
        using var client = server.CreateClient();
        string[] paths =
        [
            "/health/live", "/health/ready", "/v1/dataset", "/v1/districts/010101", "/v1/provinces/0101", "/v1/departments/01",
            "/v1/aggregate?bbox=-75,-10,-74,-9", "/v1/aggregate?lat=-10&lon=-74&radiusKm=5", "/v1/lookup?lat=-10&lon=-74",
            "/tiles/poverty.json", "/tiles/poverty/0/0/0.mvt",
        ];
        foreach (var path in paths)
        {
            using var get = await client.GetAsync(path);
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

            Assert.True(get.StatusCode == head.StatusCode, $"{path}: GET {get.StatusCode}, HEAD {head.StatusCode}");
            Assert.Equal(get.Content.Headers.ContentType, head.Content.Headers.ContentType);
            Assert.True((await head.Content.ReadAsByteArrayAsync()).Length == 0, $"{path}: HEAD has a body");
            Assert.True((await get.Content.ReadAsByteArrayAsync()).Length > 0, $"{path}: GET has no body");
        }
    }
}
