using System.Diagnostics;
using TileServer.Core.Storage;
using TileServer.Infrastructure;

namespace TileServer.Dataset;

/// <summary>
/// Builds the served dataset once the host has started and publishes it. If the first load fails, the process has
/// nothing to serve: it prints one line naming the file and stops with exit code 2 (missing or unreadable) or 1
/// (unusable).
/// </summary>
internal sealed class DatasetLoadService(
    ServedDatasetBuilder builder,
    DatasetStore store,
    IHostApplicationLifetime lifetime,
    ILogger<DatasetLoadService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Load once the server listens (so health checks answer during a long load, and stopping on a failed load
        // is an orderly shutdown rather than a cancelled start-up).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var clock = Stopwatch.StartNew();
        try
        {
            var dataset = await Task.Run(builder.Build, stoppingToken);
            store.Publish(dataset);
            var snapshot = dataset.Snapshot;
            logger.LogInformation(
                "Dataset {Version} loaded in {Elapsed} ms: {Districts} districts, {Provinces} provinces, {Departments} departments, {Matched} joined",
                snapshot.Version, clock.ElapsedMilliseconds, snapshot.Districts.Units.Count, snapshot.Provinces.Units.Count,
                snapshot.Departments.Units.Count, snapshot.Report.Join.Matched);
            if (snapshot.Report.Tiles is { } t)
            {
                logger.LogInformation(
                    "Tiles: {Tiles} tiles z0-{MaxZoom}, {MvtBytes} bytes ({GzipBytes} gzip), largest {Largest} bytes ({LargestTile}), built in {Elapsed} ms",
                    t.Tiles, dataset.TilesOptions.MaxZoom, t.MvtBytes, t.GzipBytes, t.LargestTileBytes, t.LargestTile, t.ElapsedMs);
            }
            else if (snapshot.TilesVersion is not null)
            {
                logger.LogInformation("Tiles: serving {Source} (content {TilesVersion})", dataset.TilesOptions.Source, snapshot.TilesVersion);
            }

            if (snapshot.Tiles is PmTilesSource archive)
            {
                archive.Changed += e => logger.LogError("Tile archive {Archive} changed at its source while being served: {Reason}. Tiles not yet cached answer 503 until a reload opens the new archive", archive.Name, e.Message);
            }

            foreach (var warning in snapshot.Report.Ingest.Warnings)
            {
                logger.LogWarning("{Warning}", warning);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            store.FirstLoadFailed(e);
            await Console.Error.WriteLineAsync($"error: cannot load the dataset: {LoadFailure.Describe(e)}");
            Environment.ExitCode = LoadFailure.ExitCode(e);
            lifetime.StopApplication();
        }
    }
}
