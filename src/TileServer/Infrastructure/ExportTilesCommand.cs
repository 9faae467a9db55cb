using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;

namespace TileServer.Infrastructure;

/// <summary>
/// <c>export-tiles [--from FILE] [--mbtiles OUT] [--pmtiles OUT] [--Key=value...]</c>: writes a tileset to MBTiles 1.3
/// and/or PMTiles v3 (<see cref="MbTilesWriter"/>, <see cref="PmTilesWriter"/>). Without <c>--from</c> it builds the
/// tileset the server would serve, from the same configuration (<see cref="OfflineConfiguration"/>: appsettings,
/// environment, <c>--Dataset:Districts=...</c>); with it, it reads an MBTiles or PMTiles file, so that one format
/// converts to the other.
/// </summary>
internal static class ExportTilesCommand
{
    public static Command Create()
    {
        var from = new Option<FileInfo>("--from") { Description = "convert this .mbtiles or .pmtiles file (default: build the tileset from the dataset configuration, --Dataset:Districts=... --Dataset:Estimates=... --Tiles:MaxZoom=...)" };
        var mbtiles = new Option<FileInfo?>("--mbtiles") { Description = "write an MBTiles 1.3 file here (replaced if it exists)" };
        var pmtiles = new Option<FileInfo?>("--pmtiles") { Description = "write a PMTiles v3 file here (replaced if it exists)" };
        var command = new Command("export-tiles", "Write a vector tileset to MBTiles and/or PMTiles (clustered, deduplicated).")
        {
            from, mbtiles, pmtiles,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var mbtilesFile = parse.GetValue(mbtiles);
            var pmtilesFile = parse.GetValue(pmtiles);
            if (mbtilesFile is null && pmtilesFile is null)
            {
                Console.Error.WriteLine("error: give --mbtiles, --pmtiles or both");
                return 2;
            }

            var input = parse.GetValue(from);
            if (input is not null && parse.UnmatchedTokens.Count > 0)
            {
                Console.Error.WriteLine($"error: --from converts an archive; configuration arguments apply only without it: {string.Join(" ", parse.UnmatchedTokens)}");
                return 2;
            }

            try
            {
                var clock = Stopwatch.StartNew();
                var source = input is null ? Build([.. parse.UnmatchedTokens]) : TileArchive.Open(input.FullName);
                if (source is null)
                {
                    return 2;
                }

                Console.WriteLine($"{input?.FullName ?? "dataset"}: {source.TileIds.Count()} tiles, z{source.Info.MinZoom}-z{source.Info.MaxZoom}, {(input is null ? "built" : "read")} in {clock.ElapsedMilliseconds} ms");
                clock.Restart();
                if (mbtilesFile is not null)
                {
                    Report(clock, MbTilesWriter.Write(source, mbtilesFile.FullName));
                }

                if (pmtilesFile is not null)
                {
                    Report(clock, PmTilesWriter.Write(source, pmtilesFile.FullName));
                }

                return 0;
            }
            catch (FileNotFoundException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Console.Error.WriteLine($"error: {LoadFailure.Describe(e)}");
                return e is DataFileException ? LoadFailure.ExitCode(e) : 1;
            }
        });
        return command;
    }

    /// <summary>The tileset the server would precompute, or null (after one line on stderr) when the configuration is invalid.</summary>
    private static ITileSource? Build(string[] configuration)
    {
        DatasetOptions dataset;
        TilesOptions tiles;
        try
        {
            (dataset, tiles) = OfflineConfiguration.Read(configuration);
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"error: invalid configuration: {string.Join("; ", e.Failures)}");
            return null;
        }

        if (!tiles.Enabled)
        {
            Console.Error.WriteLine("error: invalid configuration: Tiles:Enabled is false, there is no tileset to export");
            return null;
        }

        return DatasetLoader.Load(dataset, tiles).Tiles;
    }

    private static void Report(Stopwatch clock, TileArchiveReport report)
    {
        Console.WriteLine($"{report.Path}: {report.AddressedTiles} tiles, {report.TileEntries} entries, {report.TileContents} distinct tiles, {report.FileBytes} bytes, written in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
    }
}
