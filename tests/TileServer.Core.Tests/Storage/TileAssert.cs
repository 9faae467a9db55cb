using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

internal static class TileAssert
{
    /// <summary>Both sources list the same tiles, and every tile's MVT and gzip bytes are equal.</summary>
    public static void SameTiles(ITileSource expected, ITileSource actual)
    {
        var expectedIds = expected.TileIds.ToHashSet();
        Assert.Equal(expectedIds.Count, actual.TileIds.Count());
        Assert.True(expectedIds.SetEquals(actual.TileIds), "the read tileset lists other tiles than the source");
        foreach (var id in expectedIds)
        {
            Assert.True(expected.TryGetTile(id, out var want));
            Assert.True(actual.TryGetTile(id, out var got), $"tile {id} is missing");
            Assert.True(want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"tile {id}: MVT bytes differ");
            Assert.True(want.Gzip.Span.SequenceEqual(got.Gzip.Span), $"tile {id}: gzip bytes differ");
        }
    }

    /// <summary>Eight threads' worth of reads of every tile of <paramref name="actual"/> at once, each equal to the source's.</summary>
    public static void SameTilesUnderConcurrentReads(ITileSource expected, ITileSource actual)
    {
        var ids = expected.TileIds.ToArray();
        var mismatches = 0;
        Parallel.For(0, ids.Length * 8, i =>
        {
            var id = ids[i % ids.Length];
            if (!actual.TryGetTile(id, out var got) || !expected.TryGetTile(id, out var want)
                || !got.Mvt.Span.SequenceEqual(want.Mvt.Span) || !got.Gzip.Span.SequenceEqual(want.Gzip.Span))
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    public static void SameLayers(TilesetInfo expected, TilesetInfo actual)
    {
        Assert.Equal(expected.VectorLayers.Select(l => (l.Id, l.Description, l.MinZoom, l.MaxZoom)), actual.VectorLayers.Select(l => (l.Id, l.Description, l.MinZoom, l.MaxZoom)));
        for (var i = 0; i < expected.VectorLayers.Count; i++)
        {
            Assert.Equal(expected.VectorLayers[i].Fields.OrderBy(f => f.Key), actual.VectorLayers[i].Fields.OrderBy(f => f.Key));
        }
    }
}
