using System.CommandLine;
using System.Diagnostics;
using TileServer.Core.Snapshots;
using TileServer.Dataset;

namespace TileServer.Commands;

/// <summary>
/// <c>export-snapshot --output FILE [--Key=value...]</c>: builds the dataset the server would serve from the same
/// configuration (<see cref="CommandConfiguration"/>, as <c>export-tiles</c> does) and writes everything the load
/// computed to one snapshot file (<see cref="SnapshotFile"/>), which <c>--Dataset:Snapshot=FILE</c> serves without
/// recomputing: build once, start many replicas from the file.
/// </summary>
internal static class ExportSnapshotCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--output") { Description = "write the snapshot file here (replaced if it exists)", Required = true };
        var command = new Command("export-snapshot", "Write the loaded dataset (coverage, indexes, tiles, report) to one snapshot file that --Dataset:Snapshot=FILE serves without recomputing.")
        {
            output,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse =>
        {
            var target = parse.GetValue(output)!;
            return CommandConfiguration.Run([.. parse.UnmatchedTokens], services =>
            {
                var clock = Stopwatch.StartNew();
                var served = services.GetRequiredService<ServedDatasetBuilder>().Build();
                Console.WriteLine($"dataset {served.Version}: {served.Snapshot.Districts.Units.Count} districts, loaded in {clock.ElapsedMilliseconds} ms");
                clock.Restart();
                var bytes = ServedDatasetBuilder.WriteSnapshot(served, target.FullName);
                Console.WriteLine($"{target.FullName}: {bytes} bytes ({SnapshotFile.FormatName} {SnapshotFile.FormatVersion}, TileServer {SnapshotFile.ProgramVersion}), written in {clock.ElapsedMilliseconds} ms");
                return 0;
            });
        });
        return command;
    }
}
