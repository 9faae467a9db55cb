using Microsoft.Extensions.Options;
using TileServer.Dataset;

namespace TileServer.Operations;

/// <summary>
/// Graceful shutdown. On <c>SIGTERM</c> (or Ctrl+C) the host stops (a server that never was ready stops at once): <see cref="IsDraining"/> turns true at once, so
/// that readiness answers 503 and HTTP/1.1 answers carry <c>Connection: close</c> (keep-alive clients reconnect,
/// through the load balancer, to another replica); the server keeps answering for <c>Shutdown:DrainSeconds</c>; then
/// Kestrel stops accepting and lets the requests in flight finish within <c>Shutdown:TimeoutSeconds</c>
/// (<see cref="HostOptions.ShutdownTimeout"/> is set to both together), and the process exits 0.
/// </summary>
/// <remarks>
/// The drain runs in <see cref="IHostedLifecycleService.StoppingAsync"/>, which the host awaits before it stops any
/// hosted service, Kestrel's included. Thread safety: the flag is read with a volatile read by every request.
/// </remarks>
public sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, DatasetStore store, IHostApplicationLifetime lifetime, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService
{
    private volatile bool _draining;

    /// <summary>True from the moment the host starts stopping.</summary>
    public bool IsDraining => _draining;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() => _draining = true);
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        if (store.Current is null)
        {
            // Never ready (still loading, or the first load failed): no load balancer sends here, nothing to drain.
            return;
        }

        var drain = TimeSpan.FromSeconds(options.Value.DrainSeconds);
        LogDraining(drain.TotalSeconds, options.Value.TimeoutSeconds);
        try
        {
            await Task.Delay(drain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out first: stop now.
        }

        LogStopping();
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Shutting down: readiness is 503; answering for {DrainSeconds} s, then finishing requests in flight within {TimeoutSeconds} s")]
    private partial void LogDraining(double drainSeconds, double timeoutSeconds);

    [LoggerMessage(LogLevel.Information, "Drain over: no longer accepting connections")]
    private partial void LogStopping();
}
