using TileServer.Core.Aggregation;
using TileServer.Core.Coverage;
using TileServer.Core.Features;
using TileServer.Core.Index;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Ranking;
using TileServer.Core.Search;
using TileServer.Core.Styles;
using TileServer.Core.Targeting;
using TileServer.Core.Tiles;

namespace TileServer.Core.Dataset;

/// <summary>What was read from the polygon layer.</summary>
public sealed record IngestReport
{
    public required string File { get; init; }

    public required string SourceCrs { get; init; }

    public required bool Reprojected { get; init; }

    public required string Encoding { get; init; }

    public required int Records { get; init; }

    /// <summary>Records whose polygon was invalid and was repaired.</summary>
    public required IReadOnlyList<int> RepairedRecords { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }
}

/// <summary>Everything the load found out, for <c>GET /v1/dataset</c>.</summary>
public sealed record DatasetReport
{
    public required IngestReport Ingest { get; init; }

    public required JoinReport Join { get; init; }

    /// <summary>Overlaps and gaps of the district layer as published.</summary>
    public required CoverageQualityReport SourceCoverage { get; init; }

    /// <summary>What cleaning did, or null when <see cref="DatasetOptions.CleanCoverage"/> is off.</summary>
    public required CoverageCleaningReport? Cleaning { get; init; }

    /// <summary>What the tileset build produced, or null when tiles are off.</summary>
    public TilesetStatistics? Tiles { get; init; }

    /// <summary>Wall time of each load step, in milliseconds, in the order they ran.</summary>
    public required IReadOnlyDictionary<string, long> TimingsMs { get; init; }
}

/// <summary>
/// One immutable, fully built dataset: the three administrative levels, their estimates and the load report,
/// identified by a version derived from the input bytes and the options that shape the result. Every request reads
/// one snapshot; a reload builds a new one and swaps it in whole.
/// </summary>
/// <remarks>Thread safety: immutable after construction; safe to read from any thread.</remarks>
public sealed class DatasetSnapshot
{
    public required string Version { get; init; }

    public required DateTimeOffset LoadedAt { get; init; }

    public required AdminLayer Departments { get; init; }

    public required AdminLayer Provinces { get; init; }

    public required AdminLayer Districts { get; init; }

    /// <summary>Each unit's province and department, as indexes into <see cref="Provinces"/> and <see cref="Departments"/>.</summary>
    public required ParentIndex Parents { get; init; }

    /// <summary>What each estimate column means when units are combined (population, counts, rates, derived counts).</summary>
    public required ColumnRoles ColumnRoles { get; init; }

    /// <summary>
    /// The served districts' coverage topology (its units are <see cref="Districts"/>' units, in order): built by the
    /// cleaning, or from the published layer when it already is a coverage; null when it is not (cleaning off and
    /// districts that overlap or do not share their borders vertex for vertex). The lookup index, the dissolves and
    /// the tiles are built from it when present.
    /// </summary>
    public AdminTopology? Topology { get; init; }

    /// <summary>Each unit's label point (pole of inaccessibility), for every level: where a map writes its name, and
    /// where it stands when an area selects whole units.</summary>
    public required LabelPoints LabelPoints { get; init; }

    /// <summary>Units ranked by every rate column, for targeting rules and budget allocations.</summary>
    public required TargetingIndex Targeting { get; init; }

    public required DatasetReport Report { get; init; }

    /// <summary>Areal-weighting aggregation over the served (cleaned) district geometry.</summary>
    public required DistrictAggregator Aggregator { get; init; }

    /// <summary>Point-in-district lookup over <see cref="Districts"/>' served (cleaned) geometry; answers are indexes into its units.</summary>
    public required DistrictLocator Locator { get; init; }

    /// <summary>Units of every level by name (<c>/v1/search</c>).</summary>
    public required UnitSearchIndex Search { get; init; }

    /// <summary>Quintile class breaks of every numeric indicator at every level (the map's style and legend).</summary>
    public required ChoroplethClasses Classes { get; init; }

    /// <summary>Every unit's rank for every numeric indicator in the country, its department and its province.</summary>
    public required UnitRanks Ranks { get; init; }

    /// <summary>The OGC API - Features collections (<see cref="FeatureCatalog"/>): properties, indexes and serialized features.</summary>
    public required FeatureCatalog Features { get; init; }

    /// <summary>The precomputed vector tileset (<see cref="TilesetBuilder"/>), or null when tiles are off.</summary>
    public ITileSource? Tiles { get; init; }

    /// <summary>
    /// What the tiles' HTTP validators name when they come from a <c>Tiles:Source</c> archive (a hash of the file, so
    /// that replacing the archive changes them); null when the tiles are built from the dataset (<see cref="Version"/>).
    /// </summary>
    public string? TilesVersion { get; init; }

    public AdminLayer Layer(AdminLevel level) => level switch
    {
        AdminLevel.Department => Departments,
        AdminLevel.Province => Provinces,
        AdminLevel.District => Districts,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };
}
