using System.Net;
using TileServer.Api.Tests.Support;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;
using TileServer.Commands;

namespace TileServer.Api.Tests.Tiles;

/// <summary>Exported archives hold exactly the tiles and metadata the server serves.</summary>
internal static class ExportAssert
{
    public static void SameTileset(ITileSource expected, ITileSource actual)
    {
        var expectedIds = expected.TileIds.ToHashSet();
        Assert.NotEmpty(expectedIds);
        var actualIds = actual.TileIds.ToList();
        Assert.Equal(expectedIds.Count, actualIds.Count);
        Assert.True(expectedIds.SetEquals(actualIds), "the archive lists other tiles than the served tileset");
        foreach (var id in expectedIds)
        {
            Assert.True(expected.TryGetTile(id, out var want));
            Assert.True(actual.TryGetTile(id, out var got), $"tile {id} is missing from the archive");
            Assert.True(want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"tile {id}: MVT bytes differ");
            Assert.True(want.Gzip.Span.SequenceEqual(got.Gzip.Span), $"tile {id}: gzip bytes differ");
        }

        SameInfo(expected.Info, actual.Info);
    }

    public static void SameInfo(TilesetInfo expected, TilesetInfo actual)
    {
        Assert.Equal(expected.MinZoom, actual.MinZoom);
        Assert.Equal(expected.MaxZoom, actual.MaxZoom);
        Assert.Equal(expected.Bounds, actual.Bounds);
        Assert.Equal(expected.Center, actual.Center);

        Assert.Equal(
            expected.VectorLayers.Select(l => (l.Id, l.MinZoom, l.MaxZoom)),
            actual.VectorLayers.Select(l => (l.Id, l.MinZoom, l.MaxZoom)));
        for (var i = 0; i < expected.VectorLayers.Count; i++)
        {
            Assert.Equal(expected.VectorLayers[i].Fields.OrderBy(f => f.Key), actual.VectorLayers[i].Fields.OrderBy(f => f.Key));
        }
    }

    /// <summary>A sample of tiles over HTTP (one per zoom) equals the archive's bytes.</summary>
    public static async Task ServedEqualsArchiveAsync(HttpClient client, ITileSource archive)
    {
        foreach (var id in archive.TileIds.GroupBy(t => t.Z).Select(g => g.OrderBy(t => t.X).ThenBy(t => t.Y).First()))
        {
            using var response = await client.GetAsync($"/tiles/poverty/{id.Z}/{id.X}/{id.Y}.mvt");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(archive.TryGetTile(id, out var tile));
            Assert.Equal(tile.Mvt.ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
    }
}

/// <summary>The folder of one test's archives, deleted afterwards.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tileserver-export-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

[Collection(SampleCollection.Name)]
public class SampleTileExportTests(SampleServerFixture sample)
{
    [Fact]
    public async Task Export_tiles_builds_the_configured_dataset_and_writes_both_archives_with_the_served_tiles()
    {
        using var scratch = new ScratchFolder();
        var exit = await CommandLine.RunAsync(
        [
            "export-tiles", "--mbtiles", scratch.File("sample.mbtiles"), "--pmtiles", scratch.File("sample.pmtiles"),
            "--Dataset:Districts=geodata/sample/districts.shp", "--Dataset:Estimates=geodata/sample/estimates.csv",
        ]);

        Assert.Equal(0, exit);
        var served = sample.Snapshot.Tiles!;
        foreach (var name in new[] { "sample.mbtiles", "sample.pmtiles" })
        {
            var archive = TileArchive.Open(scratch.File(name));
            // The command read every section the server's version covers (lookup and aggregation included), as serve does.
            Assert.Equal(sample.Snapshot.Version, archive.Info.Version);
            ExportAssert.SameTileset(served, archive);
            await ExportAssert.ServedEqualsArchiveAsync(sample.Client, archive);
        }
    }

    [Fact]
    public async Task Export_tiles_stops_with_exit_code_2_on_a_missing_dataset_file()
    {
        using var scratch = new ScratchFolder();
        var exit = await CommandLine.RunAsync(
        [
            "export-tiles", "--pmtiles", scratch.File("out.pmtiles"),
            $"--Dataset:Districts={scratch.File("missing.shp")}", "--Dataset:Estimates=geodata/sample/estimates.csv",
        ]);

        Assert.Equal(2, exit);
        Assert.False(File.Exists(scratch.File("out.pmtiles")));
    }
}

[Collection(PeruCollection.Name)]
public class PeruTileExportTests(PeruServerFixture peru)
{
    [PeruFact]
    public async Task Peru_tileset_exports_to_both_archives_tile_for_tile()
    {
        using var scratch = new ScratchFolder();
        var served = peru.Snapshot.Tiles!;
        MbTilesWriter.Write(served, scratch.File("peru.mbtiles"));
        PmTilesWriter.Write(served, scratch.File("peru.pmtiles"));
        foreach (var name in new[] { "peru.mbtiles", "peru.pmtiles" })
        {
            var archive = TileArchive.Open(scratch.File(name));
            ExportAssert.SameTileset(served, archive);
            await ExportAssert.ServedEqualsArchiveAsync(peru.Client, archive);
        }
    }
}
