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

        Assert.Equal(
            await precomputing.GetStringAsync("/tiles/poverty.json"),
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
