using TileServer.Core.Dataset;

namespace TileServer.Lookup;

/// <summary>Builds the lookup answers' bytes (<see cref="LookupPayloads"/>) as soon as the first snapshot is
/// published, so that no request pays for it.</summary>
internal sealed class LookupWarmUpService(DatasetStore store) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var snapshot = await store.FirstLoad.WaitAsync(stoppingToken);
            LookupPayloads.For(snapshot);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The failed load is reported and stops the process (DatasetLoadService); there is nothing to warm.
        }
    }
}
