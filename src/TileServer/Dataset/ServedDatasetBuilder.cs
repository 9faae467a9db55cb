using Microsoft.Extensions.Options;
using TileServer.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;
using TileServer.Features;
using TileServer.Lookup;
using TileServer.Map;
using TileServer.Targeting;

namespace TileServer.Dataset;

/// <summary>
/// Builds a complete <see cref="ServedDataset"/> from the configuration: loads the snapshot with every section whose
/// options change an answer in its version (<c>Dataset</c>, <c>Tiles</c>, <c>Lookup</c>, <c>Aggregation</c>, <c>Features</c>,
/// <c>Targeting</c>, <c>Map</c>), then
/// derives what the host serves from it. The start-up load and the offline commands build through it, so that a
/// command writes what the server serves under the same version.
/// </summary>
/// <remarks>Thread safety: stateless apart from the options; builds share nothing.</remarks>
public sealed class ServedDatasetBuilder(
    IOptions<DatasetOptions> dataset,
    IOptions<TilesOptions> tiles,
    IOptions<LookupOptions> lookup,
    IOptions<AggregationOptions> aggregation,
    IOptions<FeaturesOptions> features,
    IOptions<TargetingOptions> targeting,
    IOptions<MapOptions> map)
{
    /// <exception cref="Core.Ingest.DataFileException">An input file is missing or unusable; the message names it.</exception>
    public ServedDataset Build()
    {
        var answerOptions = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [LookupOptions.SectionName] = lookup.Value,
            [AggregationOptions.SectionName] = aggregation.Value,
            [FeaturesOptions.SectionName] = features.Value,
            [TargetingOptions.SectionName] = targeting.Value,
            [MapOptions.SectionName] = map.Value,
        };
        var snapshot = DatasetLoader.Load(dataset.Value, tiles.Value, answerOptions);
        return new ServedDataset(snapshot, tiles.Value, lookup.Value, aggregation.Value, features.Value, targeting.Value, map.Value);
    }
}
