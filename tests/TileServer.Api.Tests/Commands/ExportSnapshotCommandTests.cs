using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using TileServer.Api.Tests.Support;
using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Commands;

/// <summary>
/// <c>export-snapshot</c> and <c>--Dataset:Snapshot=FILE</c>: a server started from the file answers byte for byte as
/// the server that loaded the sources (same version, ETags, lookups, aggregates, features, tiles, dataset report).
/// The oracle is the server loading the sources, which shares none of the snapshot file's code.
/// </summary>
public sealed partial class ExportSnapshotCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tileserver-snapshot-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_server_from_the_exported_sample_answers_byte_for_byte_as_one_from_the_sources()
    {
        var file = Path.Combine(_folder, "sample.tssnap");
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("export-snapshot", "--output", file);
        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"{file}: ", stdout, StringComparison.Ordinal);

        await using var sources = new TileServerFactory(new Dictionary<string, string?>());
        await using var snapshot = new TileServerFactory(new Dictionary<string, string?> { ["Dataset:Snapshot"] = file });
        await AssertSameAnswersAsync(await sources.ReadyAsync(), sources.CreateClient(), await snapshot.ReadyAsync(), snapshot.CreateClient());
    }

    [PeruFact]
    public async Task A_server_from_a_Peru_snapshot_answers_byte_for_byte_as_one_from_the_sources()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Dataset:Districts"] = PeruData.File("districts.shp"),
            ["Dataset:Estimates"] = PeruData.File("poverty.csv"),
        };
        await using var sources = new TileServerFactory(settings);
        var served = await sources.ServedAsync();
        var file = Path.Combine(_folder, "peru.tssnap");
        ServedDatasetBuilder.WriteSnapshot(served, file);

        await using var snapshot = new TileServerFactory(new Dictionary<string, string?>(settings) { ["Dataset:Snapshot"] = file });
        await AssertSameAnswersAsync(served.Snapshot, sources.CreateClient(), await snapshot.ReadyAsync(), snapshot.CreateClient());
    }

    [Fact]
    public async Task A_reload_reads_the_snapshot_file_again_and_a_damaged_one_keeps_the_last_good_data()
    {
        using var data = new SampleCopy();
        await using var sources = new TileServerFactory(data.Settings());
        var file = Path.Combine(_folder, "reloaded.tssnap");
        ServedDatasetBuilder.WriteSnapshot(await sources.ServedAsync(), file);
        await using var server = new TileServerFactory(new Dictionary<string, string?> { ["Dataset:Snapshot"] = file });
        var first = await server.ServedAsync();
        var reloader = server.Services.GetRequiredService<DatasetReloader>();

        data.ChangeEstimates(4242);
        await using var changed = new TileServerFactory(data.Settings());
        var next = await changed.ServedAsync();
        ServedDatasetBuilder.WriteSnapshot(next, file);
        var reloaded = await reloader.ReloadAsync(ReloadTrigger.Admin);

        Assert.Equal("loaded", reloaded.Outcome);
        Assert.NotEqual(first.Version, next.Version);
        Assert.Equal(next.Version, reloaded.Version);
        Assert.Equal(next.Version, server.Services.GetRequiredService<DatasetStore>().Current!.Version);

        await File.WriteAllTextAsync(file, "not a snapshot");
        var failed = await reloader.ReloadAsync(ReloadTrigger.Admin);

        Assert.True(failed.Failed);
        Assert.Contains($"{file}: is not a TileServer snapshot", failed.Error, StringComparison.Ordinal);
        Assert.Equal(next.Version, server.Services.GetRequiredService<DatasetStore>().Current!.Version);
    }

    [Fact]
    public async Task Serving_a_snapshot_path_that_does_not_exist_exits_2_with_one_line()
    {
        var missing = Path.Combine(_folder, "absent.tssnap");

        var (exitCode, _, stderr) = await ServerProcess.RunAsync($"--Dataset:Snapshot={missing}", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"error: invalid configuration: Dataset:Snapshot: file not found: {missing}", line);
    }

    [Fact]
    public async Task Serving_a_file_that_is_not_a_snapshot_exits_1_with_one_line_naming_it()
    {
        var notSnapshot = Path.Combine(_folder, "districts.tssnap");
        await File.WriteAllBytesAsync(notSnapshot, Encoding.ASCII.GetBytes("PK\u0003\u0004 an archive of another kind"));

        var (exitCode, _, stderr) = await ServerProcess.RunAsync($"--Dataset:Snapshot={notSnapshot}", "--urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot load the dataset: {notSnapshot}: is not a TileServer snapshot", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_snapshot_without_output_is_a_one_line_usage_error()
    {
        var (exitCode, _, stderr) = await ServerProcess.RunAsync("export-snapshot");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--output", stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// GETs and POSTs over every served capability, at points and areas taken from the dataset (label points, a
    /// vertex, places outside), compared as status, validators, media type and bytes.
    /// </summary>
    private static async Task AssertSameAnswersAsync(DatasetSnapshot expected, HttpClient sources, DatasetSnapshot actual, HttpClient snapshot)
    {
        Assert.Equal(expected.Version, actual.Version);
        var districts = expected.Districts.Units;
        var labels = expected.LabelPoints.Of(AdminLevel.District).ToArray();
        var paths = new List<string>
        {
            "/tiles/poverty.json", "/tiles/poverty/0/0/0.mvt", "/styles/poverty.json", "/collections", "/collections/districts/queryables",
            "/collections/districts/items?limit=25", "/collections/provinces/items?limit=5&offset=3", $"/collections/departments/items/{expected.Departments.Units[0].Code}",
            $"/v1/districts/{districts[1].Code}", $"/v1/provinces/{expected.Provinces.Units[2].Code}", $"/v1/departments/{expected.Departments.Units[1].Code}",
            // The published outlines, which a server from a snapshot decodes on first use.
            "/collections/districts/items?limit=40&geometry=source", $"/collections/districts/items/{districts[^1].Code}?geometry=source",
            "/collections/districts/items?limit=10&geometry=source&f=csv", $"/v1/districts/{districts[2].Code}?geometry=source",
            "/v1/search?q=san&limit=7", "/v1/search?q=a&limit=50", "/v1/search?q=%C3%B1u%C3%B1oa", "/v1/search?q=JOS%C3%89", "/v1/lookup?lat=0&lon=0",
        };
        for (var i = 0; i < districts.Count; i += Math.Max(1, districts.Count / 12))
        {
            var (lon, lat) = (labels[i].Lon, labels[i].Lat);
            var vertex = districts[i].Geometry.Coordinates[0];
            paths.Add(Invariant($"/v1/lookup?lat={lat}&lon={lon}"));
            paths.Add(Invariant($"/v1/lookup?lat={vertex.Y}&lon={vertex.X}"));
            paths.Add(Invariant($"/v1/aggregate?bbox={lon - 0.3},{lat - 0.2},{lon + 0.3},{lat + 0.2}"));
            paths.Add(Invariant($"/v1/aggregate?lat={lat}&lon={lon}&radiusKm=25"));
            paths.Add(Invariant($"/collections/districts/items?bbox={lon - 0.1},{lat - 0.1},{lon + 0.1},{lat + 0.1}"));
            foreach (var z in (int[])[3, 6, 9, 12])
            {
                var n = 1 << z;
                var x = (int)Math.Floor((lon + 180) / 360 * n);
                var y = (int)Math.Floor((1 - (Math.Log(Math.Tan(lat * Math.PI / 180) + (1 / Math.Cos(lat * Math.PI / 180))) / Math.PI)) / 2 * n);
                paths.Add($"/tiles/poverty/{z}/{x}/{y}.mvt");
                paths.Add($"/tiles/poverty/v/{expected.Version}/{z}/{x}/{y}.mvt");
            }
        }

        foreach (var path in paths)
        {
            foreach (var gzip in (bool[])[false, true])
            {
                await AssertSameAsync(sources, snapshot, () => Get(path, gzip), path);
            }
        }

        var (l0, l1) = (labels[0], labels[^1]);
        await AssertSameAsync(sources, snapshot, () => Post("/v1/lookup", Invariant($"{{\"points\":[[{l0.Lon},{l0.Lat}],[{l1.Lon},{l1.Lat}],[0,0]]}}")), "POST /v1/lookup");
        var ring = Invariant($"[[{l0.Lon - 0.4},{l0.Lat - 0.3}],[{l0.Lon + 0.5},{l0.Lat - 0.3}],[{l0.Lon + 0.2},{l0.Lat + 0.4}],[{l0.Lon - 0.4},{l0.Lat - 0.3}]]");
        await AssertSameAsync(sources, snapshot, () => Post("/v1/aggregate?breakdown=true", $"{{\"type\":\"Polygon\",\"coordinates\":[{ring}]}}"), "POST /v1/aggregate");

        // The dataset report: the same but for when each server loaded, how long each step took (the file may come
        // from another process's load, with its own timings) and the reload state.
        var want = JsonNode.Parse(await sources.GetStringAsync("/v1/dataset"))!.AsObject();
        var got = JsonNode.Parse(await snapshot.GetStringAsync("/v1/dataset"))!.AsObject();
        var wantTimings = want["timingsMs"]!.AsObject();
        var gotTimings = got["timingsMs"]!.AsObject();
        // The exporting load's steps (in the order they finished: some run side by side) and the start's own: its two
        // phases and the steps inside them.
        string[] readSteps = ["readSnapshot", "deriveFromSnapshot", "snapshotLayers", "snapshotIndexesAndTiles", "snapshotTilesChecksum", "snapshotStoredDerivations",
            "snapshotAggregator", "snapshotFeatures", "snapshotTargeting", "snapshotClasses", "snapshotRanks"];
        Assert.Equal(
            wantTimings.Select(p => p.Key).Concat(readSteps).Order(StringComparer.Ordinal),
            gotTimings.Select(p => p.Key).Order(StringComparer.Ordinal));
        foreach (var varying in (string[])["loadedAt", "timingsMs", "reload"])
        {
            want.Remove(varying);
            got.Remove(varying);
        }

        foreach (var report in (JsonObject[])[want, got])
        {
            report["cleaning"]?.AsObject().Remove("elapsedMs");
            report["tiles"]?.AsObject().Remove("elapsedMs");
            report["tiles"]?.AsObject().Remove("stepsMs");
        }

        Assert.Equal(want.ToJsonString(), got.ToJsonString());
    }

    private static async Task AssertSameAsync(HttpClient sources, HttpClient snapshot, Func<HttpRequestMessage> request, string what)
    {
        using var want = await sources.SendAsync(request());
        using var got = await snapshot.SendAsync(request());
        Assert.True(want.StatusCode == got.StatusCode, $"{what}: {want.StatusCode} from the sources, {got.StatusCode} from the snapshot");
        Assert.True((int)want.StatusCode < 500, $"{what}: {want.StatusCode}");
        Assert.Equal(want.Headers.ETag, got.Headers.ETag);
        Assert.Equal(want.Content.Headers.ContentType, got.Content.Headers.ContentType);
        Assert.Equal(want.Content.Headers.ContentEncoding, got.Content.Headers.ContentEncoding);
        var (a, b) = (await want.Content.ReadAsByteArrayAsync(), await got.Content.ReadAsByteArrayAsync());
        if (want.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
        {
            // OGC responses stamp the time their dataset was loaded, and problems the request's trace id, which two
            // servers never share: compared without them (and so, when gzipped, decompressed); every other answer,
            // tiles included, byte for byte as sent.
            (a, b) = (WithoutVarying(Plain(a, want)), WithoutVarying(Plain(b, got)));
        }

        Assert.True(a.AsSpan().SequenceEqual(b), $"{what}: {a.Length} bytes from the sources, {b.Length} from the snapshot differ");
    }

    private static byte[] Plain(byte[] body, HttpResponseMessage response)
    {
        if (!response.Content.Headers.ContentEncoding.Contains("gzip"))
        {
            return body;
        }

        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        gzip.CopyTo(plain);
        return plain.ToArray();
    }

    private static byte[] WithoutVarying(byte[] json) => Encoding.UTF8.GetBytes(Varying().Replace(Encoding.UTF8.GetString(json), "\"$1\":\"-\""));

    private static HttpRequestMessage Get(string path, bool gzip)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (gzip)
        {
            request.Headers.AcceptEncoding.ParseAdd("gzip");
        }

        return request;
    }

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex("\"(timeStamp|traceId)\":\"[^\"]*\"")]
    private static partial Regex Varying();
}
