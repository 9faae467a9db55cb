using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

public sealed class TileArchiveTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("tiles.mbtiles", typeof(MbTilesSource))]
    [InlineData("tiles.PMTiles", typeof(PmTilesSource))]
    public void Open_picks_the_reader_by_extension(string name, Type expected)
    {
        var path = _folder.File(name);
        if (expected == typeof(MbTilesSource))
        {
            MbTilesWriter.Write(SyntheticTileSource.Small(), path);
        }
        else
        {
            PmTilesWriter.Write(SyntheticTileSource.Small(), path);
        }

        var read = TileArchive.Open(path);

        Assert.IsType(expected, read);
        TileAssert.SameTiles(SyntheticTileSource.Small(), read);
    }

    [Fact]
    public void Open_refuses_other_extensions_naming_the_file()
    {
        var path = _folder.File("tiles.zip");
        File.WriteAllText(path, "");

        Assert.Contains("tiles.zip", Assert.Throws<InvalidDataException>(() => TileArchive.Open(path)).Message);
    }

    [Theory]
    [InlineData(new[] { -81.0, -18.0, -68.0 }, new[] { -75.0, -9.0, 5.0 }, "bounds")]
    [InlineData(new[] { -68.0, -18.0, -81.0, 0.0 }, new[] { -75.0, -9.0, 5.0 }, "bounds")]
    [InlineData(new[] { -81.0, -18.0, -68.0, 0.0 }, new[] { -75.0, -9.0 }, "center")]
    [InlineData(new[] { -81.0, -18.0, -68.0, 0.0 }, new[] { -75.0, -99.0, 5.0 }, "center")]
    public void Writers_refuse_bounds_and_centers_that_are_not_degrees(double[] bounds, double[] center, string named)
    {
        var source = SyntheticTileSource.Small();
        var bad = new SourceWithInfo(source, source.Info with { Bounds = bounds, Center = center });

        Assert.Contains(named, Assert.Throws<ArgumentException>(() => MbTilesWriter.Write(bad, _folder.File("bad.mbtiles"))).Message);
        Assert.Contains(named, Assert.Throws<ArgumentException>(() => PmTilesWriter.Write(bad, _folder.File("bad.pmtiles"))).Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    private sealed class SourceWithInfo(ITileSource inner, TilesetInfo info) : ITileSource
    {
        public TilesetInfo Info => info;

        public IEnumerable<TileId> TileIds => inner.TileIds;

        public bool TryGetTile(TileId id, out EncodedTile tile) => inner.TryGetTile(id, out tile);
    }
}
