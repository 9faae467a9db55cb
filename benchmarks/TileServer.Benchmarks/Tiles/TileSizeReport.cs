using System.Diagnostics;

namespace TileServer.Benchmarks.Tiles;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- tile-sizes</c>: tile counts and sizes per
/// zoom of the served tileset and of the districts-only z0-z10 run, and the build's own step timings.
/// </summary>
internal static class TileSizeReport
{
    /// <summary>Every non-empty tile of the served tileset, one <c>z/x/y</c> a line (for benchmarks/load/tiles.sh).</summary>
    public static void List()
    {
        var tileset = PeruTileData.Build(PeruTileData.Load(), PeruTileData.Full());
        foreach (var id in tileset.TileIds.OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y))
        {
            Console.WriteLine(id);
        }
    }

    public static void Run()
    {
        var snapshot = PeruTileData.Load();
        foreach (var (name, options) in new[] { ("districts only, z0-z10, geometry + id", PeruTileData.DistrictsOnly()), ("served tileset, z0-z12", PeruTileData.Full()) })
        {
            var clock = Stopwatch.StartNew();
            var tileset = PeruTileData.Build(snapshot, options);
            var s = tileset.Statistics;
            Console.WriteLine($"## {name}: {s.Tiles} tiles, {s.MvtBytes / 1e6:F2} MB ({s.GzipBytes / 1e6:F2} MB gzip), largest {s.LargestTileBytes / 1024.0:F1} KB ({s.LargestTile}), {clock.ElapsedMilliseconds} ms; collapsed units kept {s.CollapsedUnits}; overlay fallbacks {s.OverlayFallbacks}; steps {string.Join(", ", s.StepsMs.Select(kv => $"{kv.Key} {kv.Value} ms"))}");
            Console.WriteLine("| zoom | tiles | MVT bytes | gzip bytes | largest tile |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            foreach (var z in s.Zooms)
            {
                Console.WriteLine($"| {z.Zoom} | {z.Tiles} | {z.MvtBytes:N0} | {z.GzipBytes:N0} | {z.LargestTileBytes:N0} |");
            }

            var low = s.Zooms.Where(z => z.Zoom <= 6).Sum(z => z.MvtBytes);
            Console.WriteLine($"z0-z6 total: {low:N0} bytes ({low / 1e6:F3} MB)");
            Console.WriteLine();
        }
    }
}
