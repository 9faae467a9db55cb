using TileServer.Core.Storage;
using TileServer.Core.Tests.Storage;
using TileServer.Core.Tiles;
using TileServer.Commands;

namespace TileServer.Api.Tests.Commands;

public sealed class ExportTilesCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tileserver-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Converts_PMTiles_to_MBTiles_and_back_keeping_every_tile()
    {
        var source = SyntheticTileSource.Small();
        var original = Path.Combine(_folder, "original.pmtiles");
        PmTilesWriter.Write(source, original);
        var mbtiles = Path.Combine(_folder, "out.mbtiles");
        var pmtiles = Path.Combine(_folder, "out.pmtiles");

        Assert.Equal(0, await CommandLine.RunAsync(["export-tiles", "--from", original, "--mbtiles", mbtiles]));
        Assert.Equal(0, await CommandLine.RunAsync(["export-tiles", "--from", mbtiles, "--pmtiles", pmtiles]));

        AssertSameTiles(source, MbTilesSource.Open(mbtiles));
        AssertSameTiles(source, PmTilesSource.Open(pmtiles));
        Assert.Equal(File.ReadAllBytes(original), File.ReadAllBytes(pmtiles));
    }

    [Fact]
    public async Task Bad_arguments_are_one_line_errors_with_exit_codes()
    {
        var notTiles = Path.Combine(_folder, "notes.pmtiles");
        await File.WriteAllTextAsync(notTiles, "not an archive");

        Assert.Equal(2, await CommandLine.RunAsync(["export-tiles", "--from", notTiles]));
        Assert.Equal(2, await CommandLine.RunAsync(["export-tiles", "--from", Path.Combine(_folder, "absent.pmtiles"), "--mbtiles", Path.Combine(_folder, "x.mbtiles")]));
        Assert.Equal(1, await CommandLine.RunAsync(["export-tiles", "--from", notTiles, "--mbtiles", Path.Combine(_folder, "x.mbtiles")]));
        Assert.False(File.Exists(Path.Combine(_folder, "x.mbtiles")));
    }

    private static void AssertSameTiles(ITileSource expected, ITileSource actual)
    {
        Assert.Equal(expected.TileIds.Order(Comparer<TileId>.Create((a, b) => a.ToString().CompareTo(b.ToString()))), actual.TileIds.Order(Comparer<TileId>.Create((a, b) => a.ToString().CompareTo(b.ToString()))));
        foreach (var id in expected.TileIds)
        {
            Assert.True(expected.TryGetTile(id, out var want));
            Assert.True(actual.TryGetTile(id, out var got));
            Assert.Equal(want.Mvt.ToArray(), got.Mvt.ToArray());
            Assert.Equal(want.Gzip.ToArray(), got.Gzip.ToArray());
        }
    }
}
