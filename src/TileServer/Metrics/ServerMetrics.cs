using System.Diagnostics.Metrics;
using TileServer.Core.Index;
using TileServer.Dataset;

namespace TileServer.Metrics;

/// <summary>
/// The server's own instruments (meter <c>TileServer</c>), exported at <c>/metrics</c> beside ASP.NET Core's and the
/// runtime's (<see cref="MetricsServiceExtensions"/>). Every label takes its values from a closed set (zoom levels,
/// status codes, match kinds, load triggers and outcomes, collection ids of the served dataset), never from what a
/// client sends, so that the number of series stays bounded whatever the traffic.
/// </summary>
/// <remarks>
/// The tile and lookup counters sit on the hot paths: their tags are boxed once here, so that recording allocates
/// nothing (the SDK aggregates up to three tags without allocating). Thread safety: instruments are thread-safe.
/// </remarks>
public sealed class ServerMetrics
{
    public const string MeterName = "TileServer";

    /// <summary>Boxed zoom levels 0..32 (the deepest a z/x/y tile id can name).</summary>
    private static readonly object[] Zooms = [.. Enumerable.Range(0, 33).Select(z => (object)z)];
    private static readonly object[] MatchNames = ["none", "inside", "boundary", "nearest"];
    private static readonly object Ok = StatusCodes.Status200OK;
    private static readonly object NoContent = StatusCodes.Status204NoContent;
    private static readonly object NotModified = StatusCodes.Status304NotModified;
    private static readonly object Single = "single";
    private static readonly object Batch = "batch";

    private readonly Counter<long> _tiles;
    private readonly Counter<long> _lookups;
    private readonly Histogram<int> _batchSizes;
    private readonly Histogram<double> _aggregation;
    private readonly Histogram<double> _targeting;
    private readonly Counter<long> _ogcItems;
    private readonly Histogram<double> _loads;
    private readonly Counter<long> _loadFailures;

    public ServerMetrics(IMeterFactory meterFactory, DatasetStore store)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("tileserver.dataset.info", () => DatasetInfo(store), "{dataset}",
            "The served dataset: 1, labelled with its version (one series: the dataset being served)");
        meter.CreateObservableGauge("tileserver.dataset.units", () => Units(store), "{unit}",
            "Units of the served dataset per level (department, province, district)");
        meter.CreateObservableGauge("tileserver.dataset.loaded_at", () => LoadedAt(store), "s",
            "When the served dataset was built, in seconds since the Unix epoch");
        _loads = meter.CreateHistogram("tileserver.dataset.load.duration", "s",
            "Duration of dataset loads by trigger (startup, admin, signal, watch) and outcome (loaded, unchanged, failed)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600] });
        _loadFailures = meter.CreateCounter<long>("tileserver.dataset.load.failures", "{load}",
            "Failed dataset loads by trigger and fault (invalid, not_found, unreadable, configuration, other); the last good dataset stays served");
        _tiles = meter.CreateCounter<long>("tileserver.tiles.served", "{tile}",
            "Vector tile answers by zoom and status (200 tile, 204 empty, 304 not modified)");
        _lookups = meter.CreateCounter<long>("tileserver.lookups", "{point}",
            "Points looked up by match (inside, boundary, nearest, none) and request (single, batch)");
        _batchSizes = meter.CreateHistogram("tileserver.lookup.batch.size", "{point}", "Points per batch lookup",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 10, 100, 1_000, 10_000, 100_000] });
        _aggregation = meter.CreateHistogram("tileserver.aggregation.duration", "s",
            "Engine time of aggregations by area (polygon, box, circle), body parsing excluded",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _targeting = meter.CreateHistogram("tileserver.targeting.duration", "s",
            "Engine time of targeting comparisons and allocations by operation (targeting, allocation)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _ogcItems = meter.CreateCounter<long>("tileserver.ogc.items", "{feature}",
            "Features written by the OGC API items route by collection and format (json, html, csv, gpkg, shp)");
    }

    /// <summary>Engine durations, 0.1 ms to 10 s.</summary>
    private static IReadOnlyList<double> DurationBuckets { get; } = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    public void TileAnswered(int zoom, int status)
    {
        if (!_tiles.Enabled || (uint)zoom >= (uint)Zooms.Length)
        {
            return;
        }

        var statusTag = status switch
        {
            StatusCodes.Status200OK => Ok,
            StatusCodes.Status204NoContent => NoContent,
            _ => NotModified,
        };
        _tiles.Add(1, new("zoom", Zooms[zoom]), new("status", statusTag));
    }

    public void PointLookedUp(LookupMatch match) => _lookups.Add(1, new("match", MatchNames[(int)match]), new("request", Single));

    /// <param name="matches">Points per <see cref="LookupMatch"/>, indexed by its value.</param>
    public void BatchLookedUp(ReadOnlySpan<int> matches, int points)
    {
        for (var m = 0; m < matches.Length; m++)
        {
            if (matches[m] > 0)
            {
                _lookups.Add(matches[m], new("match", MatchNames[m]), new("request", Batch));
            }
        }

        _batchSizes.Record(points);
    }

    /// <param name="area"><c>polygon</c>, <c>box</c> or <c>circle</c>.</param>
    public void Aggregated(string area, TimeSpan engine) => _aggregation.Record(engine.TotalSeconds, new KeyValuePair<string, object?>("area", area));

    /// <param name="operation"><c>targeting</c> or <c>allocation</c>.</param>
    public void Targeted(string operation, TimeSpan engine) => _targeting.Record(engine.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    public void ItemsWritten(string collection, string format, int count) =>
        _ogcItems.Add(count, new("collection", collection), new("format", format));

    /// <param name="trigger">What asked for the load (<see cref="ReloadTrigger"/>).</param>
    /// <param name="outcome"><c>loaded</c>, <c>unchanged</c> or <c>failed</c>.</param>
    /// <param name="fault">For a failure, its kind; else null.</param>
    public void LoadEnded(ReloadTrigger trigger, string outcome, string? fault, TimeSpan elapsed)
    {
        var triggerName = ReloadTriggers.Name(trigger);
        _loads.Record(elapsed.TotalSeconds, new("trigger", triggerName), new("outcome", outcome));
        if (fault is not null)
        {
            _loadFailures.Add(1, new("trigger", triggerName), new("fault", fault));
        }
    }

    private static IEnumerable<Measurement<int>> DatasetInfo(DatasetStore store) =>
        store.Current is { } dataset ? [new(1, new KeyValuePair<string, object?>("version", dataset.Version))] : [];

    private static IEnumerable<Measurement<int>> Units(DatasetStore store)
    {
        if (store.Current is not { Snapshot: var snapshot })
        {
            return [];
        }

        return
        [
            new(snapshot.Departments.Units.Count, new KeyValuePair<string, object?>("level", "department")),
            new(snapshot.Provinces.Units.Count, new KeyValuePair<string, object?>("level", "province")),
            new(snapshot.Districts.Units.Count, new KeyValuePair<string, object?>("level", "district")),
        ];
    }

    private static IEnumerable<Measurement<double>> LoadedAt(DatasetStore store) =>
        store.Current is { } dataset ? [new(dataset.Snapshot.LoadedAt.ToUnixTimeMilliseconds() / 1000.0)] : [];
}
