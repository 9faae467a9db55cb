using System.Runtime.InteropServices;

namespace TileServer.Dataset;

/// <summary>
/// <c>SIGHUP</c> reloads the dataset (<see cref="DatasetReloader"/>, trigger <c>signal</c>), as it reloads nginx and
/// Prometheus; the signal's default action (ending the process) is cancelled. Not registered on Windows, which has
/// no SIGHUP.
/// </summary>
internal sealed class ReloadSignal(DatasetReloader reloader, ILogger<ReloadSignal> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                logger.LogInformation("SIGHUP: reloading the dataset");
                _ = reloader.ReloadAsync(ReloadTrigger.Signal);
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _registration?.Dispose();
        _registration = null;
    }
}
