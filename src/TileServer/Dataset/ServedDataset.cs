using System.Reflection;
using TileServer.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;
using TileServer.Features;
using TileServer.Lookup;
using TileServer.Map;
using TileServer.Targeting;
using TileServer.Tiles;

namespace TileServer.Dataset;

/// <summary>
/// What the server answers from: one <see cref="DatasetSnapshot"/>, the options its version covers, and everything the
/// host derives from them per snapshot (the lookup answers' bytes, the tiles' response headers). Built completely by
/// <see cref="ServedDatasetBuilder"/> before it is published, and published as a whole (<see cref="DatasetStore"/>).
/// A request takes the current one once (<see cref="DatasetReadiness"/>) and answers from it alone, so that its body,
/// its validators and its version agree even if another dataset is published while it runs.
/// </summary>
/// <remarks>Thread safety: immutable after construction (the options objects are never changed after binding).</remarks>
public sealed class ServedDataset : IBindableFromHttpContext<ServedDataset>
{
    /// <param name="dataset">The dataset options the snapshot was loaded with.</param>
    /// <param name="tiles">The options the snapshot was loaded and versioned with; likewise <paramref name="lookup"/>, <paramref name="aggregation"/>, <paramref name="features"/>, <paramref name="targeting"/> and <paramref name="map"/>.</param>
    internal ServedDataset(DatasetSnapshot snapshot, DatasetOptions dataset, TilesOptions tiles, LookupOptions lookup, AggregationOptions aggregation, FeaturesOptions features, TargetingOptions targeting, MapOptions map)
    {
        DatasetOptions = dataset;
        MapOptions = map;
        FeaturesOptions = features;
        Snapshot = snapshot;
        TilesOptions = tiles;
        LookupOptions = lookup;
        AggregationOptions = aggregation;
        TargetingOptions = targeting;
        LookupPayloads = new LookupPayloads(snapshot);
        TileHeaders = TileResponseHeaders.For(snapshot, tiles);
    }

    public DatasetSnapshot Snapshot { get; }

    /// <summary>The dataset version: input bytes and every option that changes an answer (<see cref="DatasetLoader"/>).</summary>
    public string Version => Snapshot.Version;

    /// <summary>The dataset options the snapshot was loaded with.</summary>
    public DatasetOptions DatasetOptions { get; }

    public TilesOptions TilesOptions { get; }

    public LookupOptions LookupOptions { get; }

    public AggregationOptions AggregationOptions { get; }

    public FeaturesOptions FeaturesOptions { get; }

    public TargetingOptions TargetingOptions { get; }

    /// <summary>How the style presents the estimates (titles, units, direction, default indicator, font).</summary>
    public MapOptions MapOptions { get; }

    /// <summary>The point-independent bytes of every lookup answer.</summary>
    internal LookupPayloads LookupPayloads { get; }

    /// <summary>The header values every tile response of this dataset carries.</summary>
    internal TileResponseHeaders TileHeaders { get; }

    /// <summary>The dataset the request is answered from (set by <see cref="DatasetReadiness"/> before the handler runs).</summary>
    /// <exception cref="InvalidOperationException">The endpoint is not in a group with <see cref="DatasetReadiness.RequireDataset"/>.</exception>
    public static ServedDataset From(HttpContext context) =>
        context.Features.Get<ServedDataset>()
        ?? throw new InvalidOperationException($"{context.GetEndpoint()?.DisplayName} reads the dataset but its route group does not RequireDataset()");

    /// <summary>Binds a handler's <see cref="ServedDataset"/> parameter to the request's dataset (<see cref="From"/>).</summary>
    public static ValueTask<ServedDataset?> BindAsync(HttpContext context, ParameterInfo parameter) => ValueTask.FromResult<ServedDataset?>(From(context));
}
