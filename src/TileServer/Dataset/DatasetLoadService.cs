using TileServer.Infrastructure;

namespace TileServer.Dataset;

/// <summary>
/// Loads the dataset once the host has started (<see cref="DatasetReloader"/>, trigger <c>startup</c>). If the first
/// load fails, the process has nothing to serve: it prints one line naming the file and stops with exit code 2
/// (missing or unreadable) or 1 (unusable).
/// </summary>
internal sealed class DatasetLoadService(
    DatasetReloader reloader,
    DatasetStore store,
    IHostApplicationLifetime lifetime) : BackgroundService
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

        var result = await reloader.ReloadAsync(ReloadTrigger.Startup).WaitAsync(stoppingToken);
        if (result.Failed && store.Current is null)
        {
            var error = store.FirstLoad.Exception?.InnerException;
            await Console.Error.WriteLineAsync($"error: cannot load the dataset: {result.Error}");
            Environment.ExitCode = error is null ? 1 : LoadFailure.ExitCode(error);
            lifetime.StopApplication();
        }
    }
}
