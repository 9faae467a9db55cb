using TileServer.Core.Dataset;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

/// <summary>The tile engine path of a request, <see cref="ITileSource.TryGetTile"/> on the precomputed tileset
/// ("a request is one dictionary look-up and a write of stored bytes"), allocates nothing, found or not.</summary>
public sealed class TileAllocationTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Getting_stored_and_missing_tiles_allocates_nothing()
    {
        var snapshot = DatasetLoader.Load(
            new DatasetOptions
            {
                Districts = SmallLayers.WriteShapefile(_temp.Path, SmallLayers.FourSquares()),
                Estimates = SmallLayers.WriteCsv(_temp.Path, SmallLayers.FourSquaresCsv),
            },
            new TilesOptions { MaxZoom = 8 });
        ITileSource tiles = snapshot.Tiles!;
        TileId[] ids = [.. ((Tileset)tiles).TileIds, new TileId(8, 0, 0), new TileId(3, 7, 7), new TileId(12, 1, 1)];
        var i = 0;
        long bytesServed = 0;

        var allocated = Allocations.Measure(() =>
        {
            if (tiles.TryGetTile(ids[i++ % ids.Length], out var tile))
            {
                bytesServed += tile.Mvt.Length + tile.Gzip.Length;
            }
        });

        Assert.Equal(0, allocated);
        Assert.True(bytesServed > 0, "no stored tile was read");
    }
}
