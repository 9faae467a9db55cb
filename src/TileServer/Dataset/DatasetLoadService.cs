using TileServer.Infrastructure;

namespace TileServer.Dataset;

/// <summary>
/// Loads the dataset while the host starts (<see cref="DatasetReloader"/>, trigger <c>startup</c>). If the first
/// load fails, the process has nothing to serve: once the host has started it prints one line naming the file and
/// stops with exit code 2 (missing or unreadable) or 1 (unusable).
/// </summary>
internal sealed class DatasetLoadService(
    DatasetReloader reloader,
    DatasetStore store,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The load starts now, beside the rest of the host's start (Kestrel, the other services: about a second of
        // CPU on the 2-core machine, which used to come before it); its outcome is acted on once the server listens,
        // so that stopping on a failed load is an orderly shutdown rather than a cancelled start-up.
        var load = reloader.ReloadAsync(ReloadTrigger.Startup);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var result = await load.WaitAsync(stoppingToken);
        if (result.Failed && store.Current is null)
        {
            var error = store.FirstLoad.Exception?.InnerException;
            await Console.Error.WriteLineAsync($"error: cannot load the dataset: {result.Error}");
            Environment.ExitCode = error is null ? 1 : LoadFailure.ExitCode(error);
            lifetime.StopApplication();
        }
    }
}
