using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>Behind a reverse proxy: the TileJSON's tile URLs follow the forwarded headers only when configured to.</summary>
public class ProxyApiTests
{
    [Fact]
    public async Task With_forwarded_headers_on_the_tile_urls_name_the_proxys_scheme_host_and_prefix()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Proxy:ForwardedHeaders"] = "true" });
        var version = (await factory.ReadyAsync()).Version;

        Assert.Equal($"https://maps.example.org/pobreza/tiles/poverty/v/{version}/{{z}}/{{x}}/{{y}}.mvt", await TileUrlAsync(factory));
    }

    [Fact]
    public async Task By_default_forwarded_headers_are_ignored()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?>());
        var version = (await factory.ReadyAsync()).Version;

        Assert.Equal($"http://localhost/tiles/poverty/v/{version}/{{z}}/{{x}}/{{y}}.mvt", await TileUrlAsync(factory));
    }

    [Fact]
    public async Task A_known_proxy_that_is_not_an_ip_address_stops_the_start()
    {
        // The real process: every options section is validated before the pipeline is built, so the error is one line
        // on stderr and exit code 2, not a stack trace.
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("--Proxy:ForwardedHeaders=true", "--Proxy:KnownProxies:0=proxy.internal", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        Assert.Contains("Proxy:KnownProxies", stderr, StringComparison.Ordinal);
        Assert.Contains("'proxy.internal'", stderr, StringComparison.Ordinal);
    }

    private static async Task<string?> TileUrlAsync(TileServerFactory factory)
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tiles/poverty.json");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "maps.example.org");
        request.Headers.Add("X-Forwarded-Prefix", "/pobreza");
        using var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tiles")[0].GetString();
    }
}
