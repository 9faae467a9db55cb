using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

/// <summary>
/// Tiles above <see cref="TilesOptions.PrebuildMaxZoom"/> are built on request: the oracle is the same dataset's
/// tileset with every zoom built at load (the whole-zoom path: all tiles clipped, then the collapsed units and labels
/// placed over the whole zoom), which must list the same tiles with the same bytes.
/// </summary>
public class OnDemandTileTests(SampleTilesetFixture sample, PeruTilesetFixture peru)
    : IClassFixture<SampleTilesetFixture>, IClassFixture<PeruTilesetFixture>
{
    [Fact]
    public void Sample_tiles_built_on_request_are_the_eager_bytes_and_the_same_tile_set()
    {
        var options = new TilesOptions { MaxZoom = 9, PrebuildMaxZoom = 9 };
        var eager = Build(sample.Snapshot, options);
        var lazy = Build(sample.Snapshot, new TilesOptions { MaxZoom = 9, PrebuildMaxZoom = 3 });
        Assert.Empty(eager.Statistics.OnDemandZooms);
        Assert.Equal([4, 5, 6, 7, 8, 9], lazy.Statistics.OnDemandZooms);
        AssertSameTiles(eager, lazy, eager.TileIds.ToArray());
    }

    [Fact]
    public void Collapsed_units_and_labels_come_out_the_same_on_request_in_any_order_from_several_threads()
    {
        // Districts from z0: many collapse to a one-unit square at the low zooms, placed by the tiny-unit rule.
        TilesOptions Options(int prebuild) => new() { MaxZoom = 6, PrebuildMaxZoom = prebuild, Districts = { MinZoom = 0 } };
        var eager = Build(sample.Snapshot, Options(6));
        Assert.True(eager.Statistics.CollapsedUnits > 0, "no unit collapsed: the tiny-unit rule went untested");
        var lazy = Build(sample.Snapshot, Options(0));
        var ids = eager.TileIds.ToArray();
        Random.Shared.Shuffle(ids);
        var built = new System.Collections.Concurrent.ConcurrentDictionary<TileId, EncodedTile>();
        Parallel.ForEach(ids, new ParallelOptions { MaxDegreeOfParallelism = 4 }, id =>
        {
            Assert.True(lazy.TryGetTile(id, out var tile), $"{id} is missing on request");
            built[id] = tile;
        });
        foreach (var id in ids)
        {
            Assert.True(eager.TryGetTile(id, out var expected));
            Assert.Equal(expected.Mvt.ToArray(), built[id].Mvt.ToArray());
        }

        Assert.Equal(ids.ToHashSet(), lazy.TileIds.ToHashSet());
    }

    [Fact]
    public void Empty_and_invalid_addresses_have_no_tile_on_request()
    {
        var lazy = Build(sample.Snapshot, new TilesOptions { MaxZoom = 9, PrebuildMaxZoom = 3 });
        var present = lazy.TileIds.Where(t => t.Z == 9).ToHashSet();
        var absent = Enumerable.Range(0, 512).Select(x => new TileId(9, x, 0)).First(t => !present.Contains(t));
        Assert.False(lazy.TryGetTile(absent, out _));
        Assert.False(lazy.TryGetTile(absent, out _));
        Assert.False(lazy.TryGetTile(new TileId(9, 512, 0), out _));
        Assert.False(lazy.TryGetTile(new TileId(10, 0, 0), out _));
    }

    [PeruFact]
    public void Peru_zooms_built_on_request_are_the_eager_bytes_and_the_same_tile_set()
    {
        var served = peru.Tiles;
        Assert.Equal(Enumerable.Range(TilesOptions.DefaultPrebuildMaxZoom + 1, 12 - TilesOptions.DefaultPrebuildMaxZoom), served.Statistics.OnDemandZooms);
        var eager = Build(peru.Snapshot, new TilesOptions { PrebuildMaxZoom = 12 });
        var eagerIds = eager.TileIds.ToArray();
        Assert.Equal(eagerIds.ToHashSet(), served.TileIds.ToHashSet());
        AssertSameTiles(eager, served, [.. eagerIds.Where((t, i) => t.Z <= 10 || i % 5 == 0)]);
    }

    private static Tileset Build(DatasetSnapshot snapshot, TilesOptions options) =>
        TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, snapshot.LabelPoints, snapshot.Topology, snapshot.Version, options);

    private static void AssertSameTiles(Tileset expected, Tileset actual, TileId[] ids)
    {
        Assert.NotEmpty(ids);
        foreach (var id in ids)
        {
            Assert.True(expected.TryGetTile(id, out var want));
            Assert.True(actual.TryGetTile(id, out var got), $"{id} is missing");
            Assert.True(want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"{id}: other MVT bytes");
            Assert.True(want.Gzip.Span.SequenceEqual(got.Gzip.Span), $"{id}: other gzip bytes");
        }
    }
}
