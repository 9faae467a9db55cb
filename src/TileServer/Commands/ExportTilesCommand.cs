using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;
using TileServer.Dataset;

namespace TileServer.Commands;

/// <summary>
/// <c>export-tiles [--from FILE] [--mbtiles OUT] [--pmtiles OUT] [--Key=value...]</c>: writes a tileset to MBTiles 1.3
/// and/or PMTiles v3 (<see cref="MbTilesWriter"/>, <see cref="PmTilesWriter"/>). Without <c>--from</c> it builds the
/// tileset the server would serve, from the same configuration (<see cref="CommandConfiguration"/>: appsettings,
/// environment, <c>--Dataset:Districts=...</c>); with it, it reads an MBTiles or PMTiles file, so that one format
/// converts to the other.
/// </summary>
internal static class ExportTilesCommand
{
    public static Command Create()
    {
        var from = new Option<FileInfo>("--from") { Description = "convert this .mbtiles or .pmtiles file (default: build the tileset from the configuration, --Dataset:Districts=... --Dataset:Estimates=... --Tiles:MaxZoom=...)" };
        var mbtiles = new Option<FileInfo?>("--mbtiles") { Description = "write an MBTiles 1.3 file here (replaced if it exists)" };
        var pmtiles = new Option<FileInfo?>("--pmtiles") { Description = "write a PMTiles v3 file here (replaced if it exists)" };
        var command = new Command("export-tiles", "Write a vector tileset to MBTiles and/or PMTiles (clustered, deduplicated).")
        {
            from, mbtiles, pmtiles,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var outputs = new Outputs(parse.GetValue(mbtiles), parse.GetValue(pmtiles));
            if (outputs.MbTiles is null && outputs.PmTiles is null)
            {
                return CommandLine.Fail("give --mbtiles, --pmtiles or both", 2);
            }

            if (parse.GetValue(from) is not { } input)
            {
                return CommandConfiguration.Run([.. parse.UnmatchedTokens], services => ExportConfigured(services, outputs));
            }

            if (parse.UnmatchedTokens.Count > 0)
            {
                return CommandLine.Fail($"--from converts an archive; configuration arguments apply only without it: {string.Join(" ", parse.UnmatchedTokens)}", 2);
            }

            return CommandLine.Guard(() =>
            {
                var clock = Stopwatch.StartNew();
                var source = TileArchive.Open(input.FullName);
                Console.WriteLine($"{input.FullName}: {source.TileIds.Count()} tiles, z{source.Info.MinZoom}-z{source.Info.MaxZoom}, read in {clock.ElapsedMilliseconds} ms");
                return Write(source, outputs);
            });
        });
        return command;
    }

    /// <summary>The tileset the server would serve with this configuration.</summary>
    private static int ExportConfigured(IServiceProvider services, Outputs outputs)
    {
        if (!services.GetRequiredService<IOptions<TilesOptions>>().Value.Enabled)
        {
            return CommandLine.Fail("invalid configuration: Tiles:Enabled is false, there is no tileset to export", 2);
        }

        var clock = Stopwatch.StartNew();
        var source = services.GetRequiredService<ServedDatasetBuilder>().Build().Snapshot.Tiles!;
        Console.WriteLine($"dataset: {source.TileIds.Count()} tiles, z{source.Info.MinZoom}-z{source.Info.MaxZoom}, built in {clock.ElapsedMilliseconds} ms");
        return Write(source, outputs);
    }

    private static int Write(ITileSource source, Outputs outputs)
    {
        var clock = Stopwatch.StartNew();
        if (outputs.MbTiles is not null)
        {
            Report(clock, MbTilesWriter.Write(source, outputs.MbTiles.FullName));
        }

        if (outputs.PmTiles is not null)
        {
            Report(clock, PmTilesWriter.Write(source, outputs.PmTiles.FullName));
        }

        return 0;
    }

    private static void Report(Stopwatch clock, TileArchiveReport report)
    {
        Console.WriteLine($"{report.Path}: {report.AddressedTiles} tiles, {report.TileEntries} entries, {report.TileContents} distinct tiles, {report.FileBytes} bytes, written in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
    }

    private sealed record Outputs(FileInfo? MbTiles, FileInfo? PmTiles);
}
