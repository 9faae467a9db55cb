using Microsoft.Extensions.Options;
using TileServer.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Snapshots;
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
/// derives what the host serves from it. The start-up load, every reload and the offline commands build through it,
/// so that a command writes what the server serves under the same version.
/// </summary>
/// <remarks>
/// The options are read through <see cref="IOptionsMonitor{TOptions}"/>, as they are when a build starts: a reload
/// re-reads <c>appsettings.json</c> (which the host watches), so that an operator who publishes new files under new
/// names points the configuration at them and reloads, without a restart; the options a snapshot was built with
/// travel inside it (<see cref="ServedDataset"/>), so that its answers, limits and version always agree. Sections set
/// on the command line or in the environment keep their values for the life of the process, as everywhere in .NET.
/// An invalid value makes the build fail (<see cref="OptionsValidationException"/>) and the served dataset stays.
/// Thread safety: stateless apart from the options; builds share nothing.
/// </remarks>
public sealed class ServedDatasetBuilder(
    IOptionsMonitor<DatasetOptions> dataset,
    IOptionsMonitor<TilesOptions> tiles,
    IOptionsMonitor<LookupOptions> lookup,
    IOptionsMonitor<AggregationOptions> aggregation,
    IOptionsMonitor<FeaturesOptions> features,
    IOptionsMonitor<TargetingOptions> targeting,
    IOptionsMonitor<MapOptions> map)
{
    /// <exception cref="Core.Ingest.DataFileException">An input file is missing or unusable; the message names it.</exception>
    public ServedDataset Build() => Build(CancellationToken.None);

    /// <param name="cancellationToken">Stops the load (the host stopping).</param>
    /// <param name="scheduler">Where the load's parallel work runs (<see cref="DatasetLoader"/>); null: the caller's.</param>
    /// <exception cref="Core.Ingest.DataFileException">An input file is missing or unusable; the message names it.</exception>
    /// <exception cref="OptionsValidationException">The configuration has an invalid value.</exception>
    public ServedDataset Build(CancellationToken cancellationToken, TaskScheduler? scheduler = null)
    {
        var inputs = Current();
        // A snapshot file is read on the caller's scheduler (a reload's low-priority threads), as a load would be.
        var snapshot = inputs.FromSnapshotFile
            ? SnapshotFile.Read(inputs.Dataset.Snapshot, inputs.Dataset, inputs.Tiles, inputs.VersionedSections())
            : DatasetLoader.Load(inputs.Dataset, inputs.Tiles, inputs.AnswerOptions(), cancellationToken, scheduler);
        return new ServedDataset(snapshot, inputs.Dataset, inputs.Tiles, inputs.Lookup, inputs.Aggregation, inputs.Features, inputs.Targeting, inputs.Map);
    }

    /// <summary>
    /// The version a build would publish now (<see cref="DatasetLoader.Version"/>): the input files hashed and the
    /// options as configured now, in milliseconds, without loading.
    /// </summary>
    public string CurrentVersion()
    {
        var inputs = Current();
        return inputs.FromSnapshotFile
            ? SnapshotFile.ReadHeader(inputs.Dataset.Snapshot).DatasetVersion
            : DatasetLoader.Version(inputs.Dataset, inputs.Tiles, inputs.AnswerOptions());
    }

    /// <summary>The files a build reads now (the layer with its side-car files, the CSV, a tile archive; or the snapshot file).</summary>
    public IReadOnlyList<(string Role, string Path)> InputFiles() => string.IsNullOrWhiteSpace(dataset.CurrentValue.Snapshot)
        ? DatasetLoader.InputFiles(dataset.CurrentValue, tiles.CurrentValue)
        : [("Dataset:Snapshot", dataset.CurrentValue.Snapshot)];

    /// <summary>
    /// Writes <paramref name="served"/> to a snapshot file (<c>export-snapshot</c>), with the option sections its
    /// version covers, which a server reading the file must be configured with.
    /// </summary>
    /// <returns>The file's length in bytes.</returns>
    public static long WriteSnapshot(ServedDataset served, string path)
    {
        ArgumentNullException.ThrowIfNull(served);
        var inputs = new Inputs(served.DatasetOptions, served.TilesOptions, served.LookupOptions, served.AggregationOptions, served.FeaturesOptions, served.TargetingOptions, served.MapOptions);
        return SnapshotFile.Write(served.Snapshot, path, inputs.VersionedSections());
    }

    /// <summary>One read of every section, as configured now.</summary>
    private Inputs Current() => new(
        dataset.CurrentValue, tiles.CurrentValue, lookup.CurrentValue, aggregation.CurrentValue, features.CurrentValue, targeting.CurrentValue, map.CurrentValue);

    private sealed record Inputs(
        DatasetOptions Dataset, TilesOptions Tiles, LookupOptions Lookup, AggregationOptions Aggregation, FeaturesOptions Features, TargetingOptions Targeting, MapOptions Map)
    {
        public bool FromSnapshotFile => !string.IsNullOrWhiteSpace(Dataset.Snapshot);

        /// <summary>Every section the version covers: the answer options, <c>Dataset</c> and <c>Tiles</c>.</summary>
        public Dictionary<string, object> VersionedSections() => new(AnswerOptions(), StringComparer.Ordinal)
        {
            [DatasetOptions.SectionName] = Dataset,
            [TilesOptions.SectionName] = Tiles,
        };

        public Dictionary<string, object> AnswerOptions() => new(StringComparer.Ordinal)
        {
            [LookupOptions.SectionName] = Lookup,
            [AggregationOptions.SectionName] = Aggregation,
            [FeaturesOptions.SectionName] = Features,
            [TargetingOptions.SectionName] = Targeting,
            [MapOptions.SectionName] = Map,
        };
    }
}
