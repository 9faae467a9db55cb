using System.CommandLine;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;
using TileServer.Infrastructure;

namespace TileServer.Tiles;

/// <summary>
/// <c>build-tiles --districts FILE --estimates FILE [--max-zoom N]</c>: loads the dataset, precomputes the tileset
/// exactly as the server does, and prints the count, bytes and time per zoom (the MBTiles and PMTiles exports write
/// the same tiles).
/// </summary>
internal static class TilesCommand
{
    public static Command Create()
    {
        var districts = new Option<FileInfo>("--districts") { Description = "district polygons (.shp or .geojson)", Required = true };
        var estimates = new Option<FileInfo>("--estimates") { Description = "estimates CSV", Required = true };
        var maxZoom = new Option<int>("--max-zoom") { Description = "deepest zoom", DefaultValueFactory = _ => new TilesOptions().MaxZoom };
        var command = new Command("build-tiles", "Precompute the poverty vector tileset and report count, bytes and time per zoom.")
        {
            districts, estimates, maxZoom,
        };
        command.SetAction(parse =>
        {
            var tiles = new TilesOptions { MaxZoom = parse.GetValue(maxZoom) };
            var dataset = new DatasetOptions { Districts = parse.GetValue(districts)!.FullName, Estimates = parse.GetValue(estimates)!.FullName };
            var problems = tiles.Validate().Concat(dataset.Validate()).ToArray();
            foreach (var file in new[] { dataset.Districts, dataset.Estimates }.Where(f => !File.Exists(f)))
            {
                problems = [.. problems, $"file not found: {file}"];
            }

            if (problems.Length > 0)
            {
                Console.Error.WriteLine($"error: {string.Join("; ", problems)}");
                return 2;
            }

            try
            {
                var snapshot = DatasetLoader.Load(dataset, tiles);
                var s = snapshot.Report.Tiles!;
                Console.WriteLine($"{s.Tiles} tiles z0-z{tiles.MaxZoom}, {s.MvtBytes:N0} bytes ({s.GzipBytes:N0} gzip), largest {s.LargestTileBytes:N0} bytes ({s.LargestTile}), built in {s.ElapsedMs} ms ({string.Join(", ", s.StepsMs.Select(kv => $"{kv.Key} {kv.Value} ms"))})");
                foreach (var zoom in s.Zooms)
                {
                    Console.WriteLine($"z{zoom.Zoom}: {zoom.Tiles} tiles, {zoom.MvtBytes:N0} bytes, largest {zoom.LargestTileBytes:N0}");
                }

                return 0;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"error: {LoadFailure.Describe(e)}");
                return LoadFailure.ExitCode(e);
            }
        });
        return command;
    }
}
