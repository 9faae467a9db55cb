using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using TileServer.Api.Tests.Features;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Operations;

/// <summary>
/// <c>GET /metrics</c> (README, "Operations: metrics"): the Prometheus text format, checked by <c>promtool</c>; the
/// server's own instruments counting what the requests did; routes as templates; <c>Metrics:Urls</c>.
/// </summary>
/// <remarks>
/// Alone (<see cref="MetricsCollection"/>): the OpenTelemetry SDK listens to meters by name, process-wide, so a
/// server of a test running beside it would count into (or shadow) this one's instruments; a server has a process
/// of its own in production.
/// </remarks>
[Collection(MetricsCollection.Name)]
public partial class MetricsApiTests
{
    /// <summary>The value of one sample line (<c>name{labels} value</c>) whose labels include every pair given; 0 when absent.</summary>
    internal static double Sample(string exposition, string name, params (string Label, string Value)[] labels)
    {
        var total = 0.0;
        foreach (var line in exposition.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success || match.Groups["name"].Value != name)
            {
                continue;
            }

            var present = LabelPair().Matches(match.Groups["labels"].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            if (labels.All(l => present.TryGetValue(l.Label, out var v) && v == l.Value))
            {
                total += double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)( \d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")]
    private static partial Regex LabelPair();

    [Fact]
    public async Task Metrics_count_tiles_by_zoom_and_status_lookups_by_match_and_requests_by_route_template()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?>());
        var served = await factory.ServedAsync();
        using var client = factory.CreateClient();
        var before = await client.GetStringAsync("/metrics");

        var tiles = served.Snapshot.Tiles!;
        var emptyAt3 = Enumerable.Range(0, 8).Select(x => (x, y: 0)).First(t => !tiles.TryGetTile(new(3, t.x, t.y), out _));
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/tiles/poverty/0/0/0.mvt")).Dispose();
        }

        (await client.GetAsync($"/tiles/poverty/3/{emptyAt3.x}/{emptyAt3.y}.mvt")).Dispose();
        var etag = (await client.GetAsync("/tiles/poverty/0/0/0.mvt")).Headers.ETag!.Tag;
        using (var conditional = new HttpRequestMessage(HttpMethod.Get, "/tiles/poverty/0/0/0.mvt") { Headers = { { "If-None-Match", etag } } })
        {
            Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(conditional)).StatusCode);
        }

        var district = served.Snapshot.Districts.Units[0];
        var inside = district.Geometry.InteriorPoint.Coordinate;
        (await client.GetAsync(string.Create(CultureInfo.InvariantCulture, $"/v1/lookup?lat={inside.Y}&lon={inside.X}"))).Dispose();
        (await client.GetAsync("/v1/lookup?lat=80&lon=0")).Dispose();
        (await client.PostAsync("/v1/lookup", new StringContent(string.Create(CultureInfo.InvariantCulture, $$"""{"points":[[{{inside.X}},{{inside.Y}}],[0,80],[0,81]]}"""), System.Text.Encoding.UTF8, "application/json"))).Dispose();
        (await client.GetAsync("/v1/districts/not-a-code-12345")).Dispose();
        (await client.GetAsync("/collections/districts/items?limit=5")).Dispose();
        (await client.GetAsync("/v1/aggregate?bbox=-180,-90,180,90")).Dispose();

        var after = await client.GetStringAsync("/metrics");
        double Delta(string name, params (string, string)[] labels) => Sample(after, name, labels) - Sample(before, name, labels);

        Assert.Equal(4, Delta("tileserver_tiles_served_total", ("zoom", "0"), ("status", "200")));
        Assert.Equal(1, Delta("tileserver_tiles_served_total", ("zoom", "3"), ("status", "204")));
        Assert.Equal(1, Delta("tileserver_tiles_served_total", ("zoom", "0"), ("status", "304")));
        Assert.Equal(1, Delta("tileserver_lookups_total", ("match", "inside"), ("request", "single")));
        Assert.Equal(1, Delta("tileserver_lookups_total", ("match", "none"), ("request", "single")));
        Assert.Equal(1, Delta("tileserver_lookups_total", ("match", "inside"), ("request", "batch")));
        Assert.Equal(2, Delta("tileserver_lookups_total", ("match", "none"), ("request", "batch")));
        Assert.Equal(1, Delta("tileserver_lookup_batch_size_count"));
        Assert.Equal(3, Delta("tileserver_lookup_batch_size_sum"));
        Assert.Equal(5, Delta("tileserver_ogc_items_total", ("collection", "districts"), ("format", "json")));
        Assert.Equal(1, Delta("tileserver_aggregation_duration_seconds_count", ("area", "box")));
        Assert.Equal(1, Sample(after, "tileserver_dataset_info", ("version", served.Version)));
        Assert.Equal(served.Snapshot.Districts.Units.Count, Sample(after, "tileserver_dataset_units", ("level", "district")));
        Assert.Equal(1, Sample(after, "tileserver_dataset_load_duration_seconds_count", ("trigger", "startup"), ("outcome", "loaded")));

        // ASP.NET Core's request metrics by route template, never the raw path; the runtime's meters.
        Assert.Equal(1, Delta("http_server_request_duration_seconds_count", ("http_route", "/v1/districts/{code}"), ("http_response_status_code", "404")));
        Assert.DoesNotContain("not-a-code-12345", after, StringComparison.Ordinal);
        Assert.True(Sample(after, "http_server_request_duration_seconds_count", ("http_route", "/tiles/poverty/{z}/{x}/{y}.{format}")) >= 6);
        Assert.Contains("dotnet_gc_collections_total", after, StringComparison.Ordinal);
        Assert.Contains("dotnet_thread_pool_threads", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exposition_is_prometheus_text_that_promtool_accepts()
    {
        await using var factory = new TileServerFactory(new Dictionary<string, string?>());
        await factory.ServedAsync();
        using var client = factory.CreateClient();
        (await client.GetAsync("/tiles/poverty/0/0/0.mvt")).Dispose();
        (await client.GetAsync("/v1/lookup?lat=80&lon=0")).Dispose();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE tileserver_tiles_served_total counter", text, StringComparison.Ordinal);

        if (ClientProcess.Find("promtool") is null)
        {
            Assert.Fail("promtool is not installed (apt-get install prometheus; .ci/run installs it)");
        }

        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, text);
            var (exit, output, error) = await ClientProcess.RunAsync("sh", ["-c", $"promtool check metrics < '{file}'"]);
            Assert.True(exit == 0, $"promtool check metrics failed ({exit}): {output}{error}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Metrics_urls_put_metrics_on_their_own_port_and_off_the_public_one()
    {
        var (publicPort, metricsPort) = (FreePort(), FreePort());
        await using var server = await ServerProcessHandle.StartAsync($"--urls=http://127.0.0.1:{publicPort}", $"--Metrics:Urls=http://127.0.0.1:{metricsPort}");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using var publicMetrics = await client.GetAsync($"http://127.0.0.1:{publicPort}/metrics");
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{publicPort}/metrics") { Headers = { Host = $"127.0.0.1:{metricsPort}" } };
        using var spoofedMetrics = await client.SendAsync(spoofed);
        using var privateMetrics = await client.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
        using var privateTiles = await client.GetAsync($"http://127.0.0.1:{metricsPort}/tiles/poverty/0/0/0.mvt");
        using var privateHealth = await client.GetAsync($"http://127.0.0.1:{metricsPort}/health/ready");
        using var publicTiles = await client.GetAsync($"http://127.0.0.1:{publicPort}/tiles/poverty/0/0/0.mvt");

        Assert.Equal(HttpStatusCode.NotFound, publicMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, spoofedMetrics.StatusCode);
        Assert.Equal(HttpStatusCode.OK, privateMetrics.StatusCode);
        var exposition = await privateMetrics.Content.ReadAsStringAsync();
        Assert.Contains("tileserver_dataset_info", exposition, StringComparison.Ordinal);
        Assert.True(Sample(exposition, "kestrel_active_connections", ("server_port", publicPort.ToString(CultureInfo.InvariantCulture))) >= 0);
        Assert.Contains("kestrel_connection_duration_seconds_bucket", exposition, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, privateTiles.StatusCode);
        Assert.Equal(HttpStatusCode.OK, privateHealth.StatusCode);
        Assert.Equal(HttpStatusCode.OK, publicTiles.StatusCode);
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics, alone";
}
