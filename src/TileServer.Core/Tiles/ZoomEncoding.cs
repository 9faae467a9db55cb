using System.Collections.Concurrent;

namespace TileServer.Core.Tiles;

/// <summary>One zoom's encoded tiles: counts and sizes, added from any worker.</summary>
internal sealed class ZoomEncoding(ZoomBuild build)
{
    private long _mvtBytes;
    private long _gzipBytes;
    private int _count;
    private int _largest;

    public ZoomBuild Build { get; } = build;

    public void Add(EncodedTile? encoded, TileWork tile, ConcurrentBag<KeyValuePair<TileId, EncodedTile>> output)
    {
        if (encoded is null)
        {
            return;
        }

        output.Add(new KeyValuePair<TileId, EncodedTile>(new TileId(Build.Zoom, tile.X, tile.Y), encoded));
        Interlocked.Add(ref _mvtBytes, encoded.Mvt.Length);
        Interlocked.Add(ref _gzipBytes, encoded.Gzip.Length);
        Interlocked.Increment(ref _count);
        int seen;
        while ((seen = Volatile.Read(ref _largest)) < encoded.Mvt.Length && Interlocked.CompareExchange(ref _largest, encoded.Mvt.Length, seen) != seen)
        {
        }
    }

    public ZoomStatistics Statistics() => new(Build.Zoom, _count, _mvtBytes, _gzipBytes, _largest);
}
