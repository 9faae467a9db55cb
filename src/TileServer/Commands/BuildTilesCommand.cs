using System.CommandLine;
using Microsoft.Extensions.Options;
using TileServer.Core.Tiles;
using TileServer.Dataset;

namespace TileServer.Commands;

/// <summary>
/// <c>build-tiles [--Key=value...]</c>: loads the configured dataset and precomputes its tileset exactly as the server
/// does (the same configuration: <see cref="CommandConfiguration"/>), and prints the count, bytes and time per zoom
/// (the MBTiles and PMTiles exports write the same tiles).
/// </summary>
internal static class BuildTilesCommand
{
    public static Command Create()
    {
        var command = new Command("build-tiles", "Precompute the poverty vector tileset from the configuration (--Dataset:Districts=... --Tiles:MaxZoom=..., appsettings, environment) and report count, bytes and time per zoom.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => CommandConfiguration.Run([.. parse.UnmatchedTokens], services =>
        {
            var tiles = services.GetRequiredService<IOptions<TilesOptions>>().Value;
            if (!tiles.Enabled || !string.IsNullOrWhiteSpace(tiles.Source))
            {
                return CommandLine.Fail("invalid configuration: build-tiles precomputes the tileset, so Tiles:Enabled must be true and Tiles:Source empty", 2);
            }

            var s = services.GetRequiredService<ServedDatasetBuilder>().Build().Snapshot.Report.Tiles!;
            var onDemand = s.OnDemandZooms.Count == 0 ? string.Empty : $"; z{s.OnDemandZooms[0]}-z{s.OnDemandZooms[^1]} built on request (Tiles:PrebuildMaxZoom)";
            Console.WriteLine($"{s.Tiles} tiles z0-z{Math.Min(tiles.MaxZoom, tiles.PrebuildMaxZoom)}{onDemand}, {s.MvtBytes:N0} bytes ({s.GzipBytes:N0} gzip), largest {s.LargestTileBytes:N0} bytes ({s.LargestTile}), built in {s.ElapsedMs} ms ({string.Join(", ", s.StepsMs.Select(kv => $"{kv.Key} {kv.Value} ms"))})");
            foreach (var zoom in s.Zooms)
            {
                Console.WriteLine($"z{zoom.Zoom}: {zoom.Tiles} tiles, {zoom.MvtBytes:N0} bytes, largest {zoom.LargestTileBytes:N0}");
            }

            return 0;
        }));
        return command;
    }
}
