using System.Net;
using TileServer.Api.Tests.Support;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;

namespace TileServer.Api.Tests.Tiles;

/// <summary>A server with <c>Tiles:Source</c> serves the archive's tiles, the same as the precomputing server.</summary>
[Collection(SampleCollection.Name)]
public class TileSourceApiTests(SampleServerFixture sample)
{
    [Fact]
    public async Task A_server_over_an_exported_PMTiles_answers_the_same_tiles_and_TileJSON()
    {
        using var scratch = new ScratchFolder();
        var archive = scratch.File("sample.pmtiles");
        PmTilesWriter.Write(sample.Snapshot.Tiles!, archive);
        await using var fromArchive = new TileServerFactory(new Dictionary<string, string?> { ["Tiles:Source"] = archive });
        var snapshot = await fromArchive.ReadyAsync();
        Assert.IsType<PmTilesSource>(snapshot.Tiles);
        Assert.Null(snapshot.Report.Tiles);
        using var precomputing = sample.Client;
        using var served = fromArchive.CreateClient();

        // The same TileJSON but for the version its tile URLs name: the archive's content, not the dataset's.
        Assert.Equal(
            (await precomputing.GetStringAsync("/tiles/poverty.json")).Replace($"/v/{sample.Snapshot.Version}/", $"/v/{snapshot.TilesVersion}/", StringComparison.Ordinal),
            await served.GetStringAsync("/tiles/poverty.json"));
        foreach (var id in sample.Snapshot.Tiles!.TileIds)
        {
            foreach (var encoding in new[] { "gzip", "identity" })
            {
                var path = $"/tiles/poverty/{id.Z}/{id.X}/{id.Y}.mvt";
                using var want = await SendAsync(precomputing, path, encoding);
                using var got = await SendAsync(served, path, encoding);
                Assert.Equal(HttpStatusCode.OK, got.StatusCode);
                Assert.Equal(want.Content.Headers.ContentEncoding, got.Content.Headers.ContentEncoding);
                Assert.Equal(await want.Content.ReadAsByteArrayAsync(), await got.Content.ReadAsByteArrayAsync());
            }
        }

        // An empty tile is empty there too.
        using var empty = await served.GetAsync("/tiles/poverty/12/0/0.mvt");
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
    }

    [Fact]
    public async Task The_ETag_names_the_archive_content_so_that_a_rewritten_archive_changes_it_and_the_version()
    {
        using var scratch = new ScratchFolder();
        var archive = scratch.File("tiles.pmtiles");
        var etags = new List<string>();
        var versions = new List<string>();
        foreach (var source in new ITileSource[] { sample.Snapshot.Tiles!, new LowZooms(sample.Snapshot.Tiles!, maxZoom: 3) })
        {
            PmTilesWriter.Write(source, archive);
            await using var factory = new TileServerFactory(new Dictionary<string, string?> { ["Tiles:Source"] = archive });
            var snapshot = await factory.ReadyAsync();
            Assert.Equal(TileArchive.ContentVersion(archive), snapshot.TilesVersion);
            versions.Add(snapshot.Version);
            using var response = await factory.CreateClient().GetAsync("/tiles/poverty/0/0/0.mvt");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            etags.Add(response.Headers.ETag!.Tag);
        }

        Assert.NotEqual(etags[0], etags[1]);
        Assert.Equal($"\"{TileArchive.ContentVersion(archive)}\"", etags[1]);
        // The archive is an input like the others: its bytes are in the dataset version too.
        Assert.NotEqual(versions[0], versions[1]);
    }

    [Fact]
    public async Task A_missing_source_stops_start_up_with_one_line_and_exit_code_2()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.pmtiles");
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync($"--Tiles:Source={missing}", "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Tiles:Source: file not found: {missing}", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [S3rverFact]
    public async Task A_server_over_an_archive_in_s3_answers_the_precomputed_tiles_and_503_once_the_object_changes()
    {
        using var scratch = new ScratchFolder();
        var archive = scratch.File("sample.pmtiles");
        PmTilesWriter.Write(sample.Snapshot.Tiles!, archive);
        using var store = new S3rverProcess("maps");
        store.Put("peru/poverty.pmtiles", File.ReadAllBytes(archive));
        await using var factory = new TileServerFactory(new Dictionary<string, string?>
        {
            ["Tiles:Source"] = "s3://maps/peru/poverty.pmtiles",
            ["Tiles:S3:ServiceUrl"] = store.Endpoint.ToString(),
            ["Tiles:S3:AccessKeyId"] = S3rverProcess.AccessKey,
            ["Tiles:S3:SecretAccessKey"] = S3rverProcess.SecretKey,
        });
        var snapshot = await factory.ReadyAsync();
        using var served = factory.CreateClient();
        var ids = sample.Snapshot.Tiles!.TileIds.OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y).ToArray();

        foreach (var id in ids[..^1])
        {
            using var want = await SendAsync(sample.Client, $"/tiles/poverty/{id}.mvt", "gzip");
            using var got = await SendAsync(served, $"/tiles/poverty/v/{snapshot.TilesVersion}/{id}.mvt", "gzip");
            Assert.Equal(HttpStatusCode.OK, got.StatusCode);
            Assert.Equal(await want.Content.ReadAsByteArrayAsync(), await got.Content.ReadAsByteArrayAsync());
        }

        store.Put("peru/poverty.pmtiles", [.. File.ReadAllBytes(archive), 0]);

        // A tile read before still answers (it is the opened archive's); the one never read cannot be, and is not mixed.
        using var cached = await SendAsync(served, $"/tiles/poverty/{ids[0]}.mvt", "gzip");
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        using var changed = await SendAsync(served, $"/tiles/poverty/{ids[^1]}.mvt", "gzip");
        var problem = await ProblemAssert.IsProblemAsync(changed, 503);
        Assert.Contains("s3://maps/peru/poverty.pmtiles", problem.Detail, StringComparison.Ordinal);
        Assert.Equal("no-store", changed.Headers.CacheControl?.ToString());
        Assert.NotNull(changed.Headers.RetryAfter);
        Assert.Contains(factory.Logs.GetSnapshot(), log => log.Level == Microsoft.Extensions.Logging.LogLevel.Error && log.Message.Contains("changed at its source", StringComparison.Ordinal));
    }

    [NginxFact]
    public async Task A_server_over_an_archive_behind_nginx_answers_the_tiles_and_502_when_the_storage_fails()
    {
        using var nginx = new NginxStaticServer();
        var archive = Path.Combine(nginx.Root, "poverty.pmtiles");
        PmTilesWriter.Write(sample.Snapshot.Tiles!, archive);
        await using var factory = new TileServerFactory(new Dictionary<string, string?>
        {
            ["Tiles:Source"] = new Uri(nginx.BaseUrl, "poverty.pmtiles").ToString(),
            ["Tiles:SourceTimeoutSeconds"] = "2",
        });
        await factory.ReadyAsync();
        using var served = factory.CreateClient();
        var ids = sample.Snapshot.Tiles!.TileIds.OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y).ToArray();
        using var first = await SendAsync(served, $"/tiles/poverty/{ids[0]}.mvt", "identity");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(sample.Snapshot.Tiles!.TryGetTile(ids[0], out var want));
        Assert.Equal(want.Mvt.ToArray(), await first.Content.ReadAsByteArrayAsync());

        nginx.Dispose();  // the storage goes away

        using var failed = await SendAsync(served, $"/tiles/poverty/{ids[^1]}.mvt", "gzip");
        var problem = await ProblemAssert.IsProblemAsync(failed, 502);
        Assert.Contains(nginx.BaseUrl.ToString(), problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_remote_source_that_cannot_be_reached_stops_start_up_with_one_line_naming_it()
    {
        var url = $"http://127.0.0.1:{ObjectStores.FreePort()}/tiles/poverty.pmtiles";
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync($"--Tiles:Source={url}", "--Tiles:SourceTimeoutSeconds=2", "--urls=http://127.0.0.1:0");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    /// <summary>Another tileset for the same dataset: the low zooms only.</summary>
    private sealed class LowZooms(ITileSource inner, int maxZoom) : ITileSource
    {
        public TilesetInfo Info { get; } = inner.Info with { MaxZoom = maxZoom };

        public IEnumerable<TileId> TileIds => inner.TileIds.Where(t => t.Z <= maxZoom);

        public bool TryGetTile(TileId id, out EncodedTile tile)
        {
            tile = null!;
            return id.Z <= maxZoom && inner.TryGetTile(id, out tile);
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", encoding);
        return await client.SendAsync(request);
    }
}
