using System.Diagnostics;
using System.Runtime;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Storage;
using TileServer.Infrastructure;
using TileServer.Metrics;

namespace TileServer.Dataset;

/// <summary>What asked for a (re)load.</summary>
public enum ReloadTrigger
{
    /// <summary>The first load, when the server starts.</summary>
    Startup,

    /// <summary><c>POST /admin/reload</c>.</summary>
    Admin,

    /// <summary><c>SIGHUP</c>.</summary>
    Signal,

    /// <summary>An input file changed (<c>Dataset:Watch</c>).</summary>
    Watch,
}

public static class ReloadTriggers
{
    public static string Name(ReloadTrigger trigger) => trigger switch
    {
        ReloadTrigger.Startup => "startup",
        ReloadTrigger.Admin => "admin",
        ReloadTrigger.Signal => "signal",
        _ => "watch",
    };
}

/// <summary>How one load ended.</summary>
/// <param name="Outcome"><c>loaded</c> (a new dataset is served), <c>unchanged</c> (the inputs and options give the served version: nothing to build) or <c>failed</c>.</param>
/// <param name="Version">The version served after the load.</param>
/// <param name="PreviousVersion">The version served before it (null at start-up).</param>
/// <param name="Error">For a failure, one line naming the file and the problem.</param>
public sealed record ReloadResult(string Outcome, string? Version, string? PreviousVersion, string? Error, long ElapsedMs, string Trigger)
{
    public bool Failed => Outcome == ReloadStatus.Failed;
}

/// <summary>
/// The reload state shown in <c>GET /v1/dataset</c> and the readiness answer (<c>reload</c>): <c>state</c> is
/// <c>loading</c> while a load runs, else how the last one ended (<c>loaded</c>, <c>unchanged</c>, <c>failed</c>);
/// <c>lastError</c> is the last failure's one line (file and reason), kept until a load succeeds.
/// </summary>
public sealed record ReloadStatus(string State, DateTimeOffset? LastAttemptAt, DateTimeOffset? LastSuccessAt, string? LastError, string? LastTrigger)
{
    public const string Loading = "loading";
    public const string Loaded = "loaded";
    public const string Unchanged = "unchanged";
    public const string Failed = "failed";

    public static readonly ReloadStatus Initial = new(Loading, null, null, null, null);
}

/// <summary>
/// The one code path of every load: the start-up load and the three reload triggers (<c>POST /admin/reload</c>,
/// <c>SIGHUP</c>, <c>Dataset:Watch</c>) call <see cref="ReloadAsync"/>. The new dataset is built while the old one
/// serves (the first on the thread pool, at full speed since nothing is served yet; reloads on the low-priority
/// threads of <see cref="ReloadScheduler"/>, so that they take only the CPU the requests leave), then published in one
/// reference swap (<see cref="DatasetStore.Publish"/>); a
/// failed build publishes nothing, so the last good dataset keeps serving, and the failure is logged (file and
/// reason), counted and shown in <see cref="Status"/>.
/// </summary>
/// <remarks>
/// <para>
/// One build at a time, and triggers coalesce: a trigger that arrives before the pending build has started joins it
/// (its caller gets the same result); one that arrives while a build runs queues a single follow-up build, which
/// every later trigger joins. The follow-up first hashes the inputs (<see cref="ServedDatasetBuilder.CurrentVersion"/>,
/// milliseconds) and builds only if the version differs from the one served: two triggers at once build once, and a
/// change made while a build was reading is never lost.
/// </para>
/// <para>
/// Memory: nothing here holds a dataset after a swap (the result and status hold strings), so the old one is
/// garbage once the last request that started on it ends.
/// </para>
/// <para>Thread safety: safe from any thread.</para>
/// </remarks>
public sealed class DatasetReloader(
    ServedDatasetBuilder builder,
    DatasetStore store,
    ReloadScheduler scheduler,
    IOptions<DatasetOptions> options,
    ServerMetrics metrics,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DatasetReloader> logger)
{
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _building = new(1, 1);
    private Task<ReloadResult>? _pending;
    private ReloadStatus _status = ReloadStatus.Initial;

    public ReloadStatus Status => Volatile.Read(ref _status);

    /// <summary>
    /// Loads the configured inputs (joining a pending load, see remarks) and publishes the result when it is new; the
    /// task ends with how it went and never faults on a bad input.
    /// </summary>
    public Task<ReloadResult> ReloadAsync(ReloadTrigger trigger)
    {
        lock (_gate)
        {
            // Task.Run: the load starts after the lock is released, so that _pending is set before it clears it.
            return _pending ??= Task.Run(() => LoadWhenFreeAsync(trigger));
        }
    }

    private async Task<ReloadResult> LoadWhenFreeAsync(ReloadTrigger trigger)
    {
        await _building.WaitAsync(lifetime.ApplicationStopping).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                _pending = null;
            }

            if (trigger == ReloadTrigger.Startup)
            {
                return Load(trigger, null);
            }

            if (scheduler.PriorityError is { } error)
            {
                logger.LogWarning("Reloads build at normal priority: the reload threads could not lower theirs to nice {Niceness}: {Error}", scheduler.Niceness, error);
            }
            else if (scheduler.Niceness > 0 && !GCSettings.IsServerGC)
            {
                // Workstation GC collects on the thread that triggers the collection and starts its background thread
                // from it, and a Linux thread inherits its creator's nice value: Server GC does both on its own threads.
                logger.LogWarning(
                    "Reloads build at nice {Niceness} under workstation GC (DOTNET_gcServer=0, or one CPU): a collection a build starts runs at that priority while every request waits for it, and the GC's background thread, if a build starts it, keeps that priority after the build; Server GC (the default) collects on its own threads at normal priority",
                    scheduler.Niceness);
            }

            var lowLatencyGc = options.Value.ReloadLowLatencyGc;
            return await scheduler.RunAsync(() =>
            {
                // The build allocates a whole snapshot beside the served one: a blocking gen-2 collection of both
                // would pause every request, so while it runs the GC collects gen 2 in the background only.
                var mode = GCSettings.LatencyMode;
                if (lowLatencyGc)
                {
                    GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
                }

                try
                {
                    return Load(trigger, scheduler);
                }
                finally
                {
                    GCSettings.LatencyMode = mode;
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            _building.Release();
        }
    }

    /// <param name="parallelism">Where the build's parallel work runs (<see cref="Core.Dataset.DatasetLoader"/>); null: the thread pool.</param>
    private ReloadResult Load(ReloadTrigger trigger, TaskScheduler? parallelism)
    {
        var triggerName = ReloadTriggers.Name(trigger);
        var attemptAt = time.GetUtcNow();
        var previous = Status;
        Volatile.Write(ref _status, previous with { State = ReloadStatus.Loading, LastAttemptAt = attemptAt, LastTrigger = triggerName });
        var served = store.Current;
        var clock = Stopwatch.StartNew();
        try
        {
            if (served is not null && builder.CurrentVersion() == served.Version)
            {
                logger.LogInformation("Reload ({Trigger}): inputs and options unchanged, still serving {Version}", triggerName, served.Version);
                return Succeeded(ReloadStatus.Unchanged, served.Version, served.Version);
            }

            var dataset = builder.Build(lifetime.ApplicationStopping, parallelism);
            store.Publish(dataset);
            if (served is not null)
            {
                // The old snapshot's large arrays leave holes in the large object heap, which the GC does not compact
                // by default: the next blocking gen-2 collection (rare while serving; one an operator induces) closes
                // them, so that its memory is given back. No collection is forced here: it would pause every request.
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            }

            LogLoaded(dataset, served, triggerName, clock.ElapsedMilliseconds);
            return Succeeded(ReloadStatus.Loaded, dataset.Version, served?.Version);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            Volatile.Write(ref _status, previous);
            throw;
        }
        catch (Exception e)
        {
            var line = LoadFailure.Describe(e);
            var file = e is DataFileException { FilePath: { Length: > 0 } path } ? path : null;
            Volatile.Write(ref _status, previous with
            {
                State = ReloadStatus.Failed, LastAttemptAt = attemptAt, LastError = line, LastTrigger = triggerName,
            });
            metrics.LoadEnded(trigger, ReloadStatus.Failed, Fault(e), clock.Elapsed);
            if (served is null)
            {
                store.FirstLoadFailed(e);
            }
            else
            {
                // A defect (not the input's fault) keeps its stack trace in the log; a bad input is its one line.
                var reason = e is DataFileException { FilePath.Length: > 0 } data ? data.Problem : line;
                logger.LogError(e is DataFileException or OptionsValidationException or IOException ? null : e,
                    "Reload ({Trigger}) failed, still serving {Version}: {File}: {Reason}", triggerName, served.Version, file ?? "(configuration)", reason);
            }

            return new ReloadResult(ReloadStatus.Failed, served?.Version, served?.Version, line, clock.ElapsedMilliseconds, triggerName);
        }

        ReloadResult Succeeded(string outcome, string version, string? previousVersion)
        {
            Volatile.Write(ref _status, new ReloadStatus(outcome, attemptAt, time.GetUtcNow(), null, triggerName));
            metrics.LoadEnded(trigger, outcome, null, clock.Elapsed);
            return new ReloadResult(outcome, version, previousVersion, null, clock.ElapsedMilliseconds, triggerName);
        }
    }

    private void LogLoaded(ServedDataset dataset, ServedDataset? previous, string trigger, long elapsedMs)
    {
        var snapshot = dataset.Snapshot;
        logger.LogInformation(
            "Dataset {Version} loaded ({Trigger}) in {Elapsed} ms: {Districts} districts, {Provinces} provinces, {Departments} departments, {Matched} joined; previous {PreviousVersion}",
            snapshot.Version, trigger, elapsedMs, snapshot.Districts.Units.Count, snapshot.Provinces.Units.Count,
            snapshot.Departments.Units.Count, snapshot.Report.Join.Matched, previous?.Version ?? "none");
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

    private static string Fault(Exception e) => e switch
    {
        DataFileException { Fault: DataFileFault.NotFound } or FileNotFoundException or DirectoryNotFoundException => "not_found",
        DataFileException { Fault: DataFileFault.Unreadable } or UnauthorizedAccessException or IOException => "unreadable",
        DataFileException => "invalid",
        OptionsValidationException => "configuration",
        _ => "other",
    };
}
