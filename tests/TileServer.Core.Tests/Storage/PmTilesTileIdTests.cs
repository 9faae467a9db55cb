using TileServer.Core.Storage;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

public sealed class PmTilesTileIdTests
{
    [Theory]
    [InlineData(0, 0, 0, 0UL)]
    [InlineData(1, 0, 0, 1UL)]
    [InlineData(1, 0, 1, 2UL)]
    [InlineData(1, 1, 1, 3UL)]
    [InlineData(1, 1, 0, 4UL)]
    [InlineData(2, 0, 0, 5UL)]
    [InlineData(3, 0, 0, 21UL)]
    [InlineData(12, 0, 0, 5592405UL)]
    public void Known_values_from_the_spec(int z, int x, int y, ulong expected)
    {
        Assert.Equal(expected, PmTilesTileId.FromTile(new TileId(z, x, y)));
        Assert.Equal(new TileId(z, x, y), PmTilesTileId.ToTile(expected));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(8)]
    public void A_zoom_fills_its_id_range_and_consecutive_ids_are_neighbouring_tiles(int z)
    {
        var first = PmTilesTileId.FirstIdOfZoom(z);
        var count = 1UL << (2 * z);
        var seen = new HashSet<TileId>();
        var previous = PmTilesTileId.ToTile(first);
        for (var id = first; id < first + count; id++)
        {
            var tile = PmTilesTileId.ToTile(id);
            Assert.Equal(z, tile.Z);
            Assert.True(tile.IsValid);
            Assert.Equal(id, PmTilesTileId.FromTile(tile));
            Assert.True(seen.Add(tile));
            if (id > first)
            {
                Assert.Equal(1, Math.Abs(tile.X - previous.X) + Math.Abs(tile.Y - previous.Y));
            }

            previous = tile;
        }

        Assert.Equal(PmTilesTileId.FirstIdOfZoom(z + 1), first + count);
    }

    [Fact]
    public void Deep_zooms_round_trip()
    {
        foreach (var tile in new[] { new TileId(20, 123_456, 654_321), new TileId(26, (1 << 26) - 1, 0), new TileId(30, 1 << 29, (1 << 30) - 1) })
        {
            Assert.Equal(tile, PmTilesTileId.ToTile(PmTilesTileId.FromTile(tile)));
        }
    }
}
