using System.CommandLine;
using System.Diagnostics;
using TileServer.Core.Storage;

namespace TileServer.Infrastructure;

/// <summary>
/// <c>export-tiles --from FILE [--mbtiles OUT] [--pmtiles OUT]</c>: writes a tileset to MBTiles 1.3 and/or PMTiles v3
/// (<see cref="MbTilesWriter"/>, <see cref="PmTilesWriter"/>), reading it from an MBTiles or PMTiles file, so that one
/// format converts to the other.
/// </summary>
internal static class ExportTilesCommand
{
    public static Command Create()
    {
        var from = new Option<FileInfo>("--from") { Description = "the tileset to export: a .mbtiles or .pmtiles file", Required = true };
        var mbtiles = new Option<FileInfo?>("--mbtiles") { Description = "write an MBTiles 1.3 file here (replaced if it exists)" };
        var pmtiles = new Option<FileInfo?>("--pmtiles") { Description = "write a PMTiles v3 file here (replaced if it exists)" };
        var command = new Command("export-tiles", "Write a vector tileset to MBTiles and/or PMTiles (clustered, deduplicated).")
        {
            from, mbtiles, pmtiles,
        };
        command.SetAction(parse =>
        {
            var mbtilesFile = parse.GetValue(mbtiles);
            var pmtilesFile = parse.GetValue(pmtiles);
            if (mbtilesFile is null && pmtilesFile is null)
            {
                Console.Error.WriteLine("error: give --mbtiles, --pmtiles or both");
                return 2;
            }

            var input = parse.GetValue(from)!;
            try
            {
                var clock = Stopwatch.StartNew();
                var source = TileArchive.Open(input.FullName);
                Console.WriteLine($"{input.FullName}: {source.TileIds.Count()} tiles, z{source.Info.MinZoom}-z{source.Info.MaxZoom}, read in {clock.ElapsedMilliseconds} ms");
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
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void Report(Stopwatch clock, TileArchiveReport report)
    {
        Console.WriteLine($"{report.Path}: {report.AddressedTiles} tiles, {report.TileEntries} entries, {report.TileContents} distinct tiles, {report.FileBytes} bytes, written in {clock.ElapsedMilliseconds} ms");
        clock.Restart();
    }
}
