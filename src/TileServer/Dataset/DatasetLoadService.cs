using System.Diagnostics;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;

namespace TileServer.Dataset;

/// <summary>
/// Loads the dataset once the host has started and publishes it. If the first load fails, the process has nothing
/// to serve: it prints one line naming the file and stops with exit code 1.
/// </summary>
internal sealed class DatasetLoadService(
    DatasetStore store,
    IOptions<DatasetOptions> options,
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
            var snapshot = await Task.Run(() => DatasetLoader.Load(options.Value), stoppingToken);
            store.Publish(snapshot);
            logger.LogInformation(
                "Dataset {Version} loaded in {Elapsed} ms: {Districts} districts, {Provinces} provinces, {Departments} departments, {Matched} joined",
                snapshot.Version, clock.ElapsedMilliseconds, snapshot.Districts.Units.Count, snapshot.Provinces.Units.Count,
                snapshot.Departments.Units.Count, snapshot.Report.Join.Matched);
            foreach (var warning in snapshot.Report.Ingest.Warnings)
            {
                logger.LogWarning("{Warning}", warning);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            store.FirstLoadFailed(e);
            await Console.Error.WriteLineAsync($"error: cannot load the dataset: {e.Message}");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}
