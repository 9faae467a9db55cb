using System.Diagnostics;
using NetTopologySuite.Geometries;
using TileServer.Core.Admin;
using TileServer.Core.Aggregation;
using TileServer.Core.Coverage;
using TileServer.Core.Features;
using TileServer.Core.Geodesy;
using TileServer.Core.Index;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Storage;
using TileServer.Core.Targeting;
using TileServer.Core.Tiles;
using TileServer.Core.Versioning;

namespace TileServer.Core.Dataset;

/// <summary>
/// Builds a <see cref="DatasetSnapshot"/> from <see cref="DatasetOptions"/>: read the polygon layer
/// (<see cref="PolygonLayerReader"/>), read the estimates (<see cref="EstimatesCsvReader"/>), join them
/// (<see cref="DistrictJoiner"/>), clean the districts into a coverage and keep its topology
/// (<see cref="CoverageCleaner"/>; with cleaning off, <see cref="CoverageTopology.FromCoverage"/> when the published
/// layer already is one), derive provinces and departments (<see cref="AdminLevelBuilder"/>), then build the
/// aggregator, the lookup index (<see cref="DistrictLocator"/>) and the tileset (<see cref="TilesetBuilder"/>), each
/// from the one topology when there is one.
/// </summary>
/// <remarks>
/// The version (<see cref="DatasetVersion"/>) covers every input file's bytes (the layer and its side-car files, the
/// CSV, a <c>Tiles:Source</c> archive) and every option that changes an answer: the dataset and tiles options and
/// whatever other sections the caller passes, less the options marked <see cref="NotInVersionAttribute"/>.
/// Thread safety: stateless; loads share nothing.
/// </remarks>
public static class DatasetLoader
{
    private static readonly string[] ShapefileParts = [".shp", ".shx", ".dbf", ".prj", ".cpg"];

    /// <exception cref="DataFileException">An input file is missing or unusable; the message names it.</exception>
    public static DatasetSnapshot Load(DatasetOptions options) => Load(options, null);

    /// <param name="tiles">The vector tileset to precompute (<see cref="TilesetBuilder"/>); null or disabled: none.</param>
    /// <param name="answerOptions">
    /// Other configuration sections, by section name, whose options change answers computed from the snapshot (the
    /// host's lookup and aggregation options): they enter the version, so that HTTP validators change with them.
    /// </param>
    /// <param name="cancellationToken">Stops the load (checked per record while reading, and between steps).</param>
    /// <exception cref="DataFileException">
    /// An input file is missing or unusable, or the load took longer than <see cref="DatasetOptions.LoadTimeoutSeconds"/>;
    /// the message names the file (and the record or the step reached).
    /// </exception>
    public static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, IReadOnlyDictionary<string, object>? answerOptions = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.LoadTimeoutSeconds));
        var step = new LoadStep { File = options.Districts, Name = "reading" };
        try
        {
            return Load(options, tiles, answerOptions, deadline.Token, step);
        }
        catch (OperationCanceledException e) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DataFileException(step.File, $"the load took longer than Dataset:LoadTimeoutSeconds ({options.LoadTimeoutSeconds} s) and stopped while {step.Name}{(e.Message.StartsWith("at ", StringComparison.Ordinal) ? $" ({e.Message})" : string.Empty)}", e);
        }
    }

    /// <summary>What the load is doing, for the timeout's message.</summary>
    private sealed class LoadStep
    {
        public required string File { get; set; }

        public required string Name { get; set; }

        public void Enter(string file, string name, CancellationToken token)
        {
            token.ThrowIfCancellationRequested();
            (File, Name) = (file, name);
        }
    }

    private static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, IReadOnlyDictionary<string, object>? answerOptions,
        CancellationToken token, LoadStep step)
    {
        var timings = new Dictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        long Lap()
        {
            var elapsed = clock.ElapsedMilliseconds;
            clock.Restart();
            return elapsed;
        }

        var limits = options.ToLoadLimits();
        var layer = PolygonLayerReader.Read(options.Districts, new LayerReadOptions { DefaultShapefileEncoding = options.DefaultShapefileEncoding, Limits = limits }, token);
        timings["readLayer"] = Lap();
        step.Enter(options.Estimates, "reading", token);
        var estimates = EstimatesCsvReader.Read(options.Estimates, new EstimatesReadOptions
        {
            KeyColumn = options.EstimatesKey,
            KeyWidth = options.DistrictCodeLength,
            Encoding = options.EstimatesEncoding,
            NumericColumns = options.NumericColumns(),
            MaxFileBytes = limits.MaxFileBytes,
        }, token);
        EstimateTotals.Check(estimates, options.ResolveColumnRoles(estimates.Columns));
        timings["readEstimates"] = Lap();
        step.Enter(options.Districts, "joining", token);
        var codes = options.ToAdminCodes();
        var (districts, join) = DistrictJoiner.Join(layer, estimates, options.ToJoinOptions());
        timings["join"] = Lap();
        step.Enter(options.Districts, "cleaning the coverage", token);
        CoverageCleaningReport? cleaning = null;
        CoverageQualityReport sourceCoverage;
        CoverageTopology? topology;
        if (options.CleanCoverage)
        {
            (districts, cleaning, topology) = Clean(districts, options);
            sourceCoverage = cleaning.RawQuality;
            timings["cleanCoverage"] = Lap();
        }
        else
        {
            Geometry[] published = [.. districts.Units.Select(u => u.Geometry)];
            sourceCoverage = CoverageQuality.Measure(published);
            timings["measureCoverage"] = Lap();

            // Districts that overlap are no coverage; only a layer without measured overlaps is worth validating.
            topology = sourceCoverage.OverlappingPairs == 0 ? CoverageTopology.FromCoverage(published) : null;
            timings["topology"] = Lap();
        }

        step.Enter(options.Districts, "dissolving provinces and departments", token);
        var parents = ParentIndex.FromDistrictCodes(codes, [.. districts.Units.Select(u => u.Code)]);
        var roles = options.ResolveColumnRoles(districts.Columns);
        var provinces = AdminLevelBuilder.Build(districts, AdminLevel.Province, parents, roles, options.NameFields(AdminLevel.Province), topology);
        var departments = AdminLevelBuilder.Build(districts, AdminLevel.Department, parents, roles, options.NameFields(AdminLevel.Department), topology);
        timings["dissolve"] = Lap();
        step.Enter(options.Districts, "building the aggregator and lookup index", token);
        var aggregator = BuildAggregator(districts, roles);
        timings["aggregator"] = Lap();
        var locator = topology is null ? DistrictLocator.Build([.. districts.Units.Select(u => u.Geometry)]) : DistrictLocator.Build(topology);
        timings["lookupIndex"] = Lap();
        var labels = LabelPoints.Compute(departments, provinces, districts);
        timings["labelPoints"] = Lap();
        var targeting = TargetingIndex.Build(departments, provinces, districts, parents, roles, labels);
        timings["targetingIndex"] = Lap();
        var tilesArchive = tiles is { Enabled: true } && !string.IsNullOrWhiteSpace(tiles.Source) ? tiles.Source : null;
        ITileSource? archive = null;
        string? tilesVersion = null;
        if (tilesArchive is not null)
        {
            step.Enter(tilesArchive, "opening the tile archive", token);
            archive = TileArchive.Open(tilesArchive, TileArchiveOptions.From(tiles!));
            tilesVersion = TileArchive.ContentVersion(archive, tilesArchive);
            timings["openTileArchive"] = Lap();
        }

        var version = ComputeVersion(options, tiles, archive is PmTilesSource pmtiles ? pmtiles.ContentIdentity : tilesArchive, answerOptions);
        timings["version"] = Lap();
        var features = FeatureCatalog.Build(departments, provinces, districts, roles, options.ColumnDescriptions, version);
        timings["features"] = Lap();
        var tileSource = archive;
        TilesetStatistics? tileStatistics = null;
        if (tiles is { Enabled: true } && archive is null)
        {
            step.Enter(options.Districts, "building the tiles", token);
            var tileset = TilesetBuilder.Build(departments, provinces, districts, parents, labels, topology, version, tiles);
            (tileSource, tileStatistics) = (tileset, tileset.Statistics);
            timings["tiles"] = Lap();
        }

        step.Enter(options.Districts, "publishing", token);
        return new DatasetSnapshot
        {
            Version = version,
            LoadedAt = DateTimeOffset.UtcNow,
            Departments = departments,
            Provinces = provinces,
            Districts = districts,
            Parents = parents,
            ColumnRoles = roles,
            Topology = topology,
            Aggregator = aggregator,
            Locator = locator,
            LabelPoints = labels,
            Targeting = targeting,
            Features = features,
            Tiles = tileSource,
            TilesVersion = tilesVersion,
            Report = new DatasetReport
            {
                Ingest = new IngestReport
                {
                    File = layer.FilePath,
                    SourceCrs = layer.SourceCrs,
                    Reprojected = layer.Reprojected,
                    Encoding = layer.Encoding,
                    Records = layer.Features.Count,
                    RepairedRecords = layer.RepairedRecords,
                    Warnings = layer.Warnings,
                },
                Join = join,
                SourceCoverage = sourceCoverage,
                Cleaning = cleaning,
                Tiles = tileStatistics,
                TimingsMs = timings,
            },
        };
    }

    /// <summary>The district layer with cleaned geometries (<see cref="CoverageCleaner"/>), source geometries kept, and its topology.</summary>
    private static (AdminLayer Districts, CoverageCleaningReport Report, CoverageTopology Topology) Clean(AdminLayer districts, DatasetOptions options)
    {
        var result = CoverageCleaner.Clean(
            [.. districts.Units.Select(u => u.Geometry)],
            [.. districts.Units.Select(u => u.Code)],
            new CoverageCleaningOptions { GapWidthMetres = options.MaxGapWidthMetres });
        var cleaned = districts.Units.Select((unit, i) => new AdminUnit
        {
            Level = unit.Level,
            Code = unit.Code,
            Name = unit.Name,
            ProvinceCode = unit.ProvinceCode,
            DepartmentCode = unit.DepartmentCode,
            Geometry = result.Districts[i],
            SourceGeometry = unit.SourceGeometry,
            Values = unit.Values,
            HasEstimates = unit.HasEstimates,
            AreaKm2 = EqualAreaProjection.AreaSquareKilometres(result.Districts[i]),
            Attributes = unit.Attributes,
        }).ToArray();
        return (new AdminLayer(AdminLevel.District, districts.Columns, cleaned), result.Report, result.Topology);
    }

    /// <summary>The aggregator over the served district geometry, with the columns in their <paramref name="roles"/>.</summary>
    private static DistrictAggregator BuildAggregator(AdminLayer districts, ColumnRoles roles)
    {
        var columns = new Dictionary<string, IReadOnlyList<double?>>(StringComparer.OrdinalIgnoreCase);
        for (var c = 0; c < districts.Columns.Count; c++)
        {
            if (districts.Columns[c].Kind == ColumnKind.Number)
            {
                var index = c;
                columns[districts.Columns[c].Name] = [.. districts.Units.Select(u => u.Values[index] as double?)];
            }
        }

        if (roles.PopulationIndex < 0)
        {
            // Without a population column every district is weightless: areas and counts still aggregate, rates do not.
            columns[roles.PopulationColumn] = new double?[districts.Units.Count];
        }

        var configuration = new AggregationConfiguration
        {
            WeightColumn = roles.PopulationColumn,
            ExtensiveColumns = [.. roles.CountColumns.Where(n => !string.Equals(n, roles.PopulationColumn, StringComparison.OrdinalIgnoreCase))],
            IntensiveColumns = [.. roles.RateColumns],
            DerivedCounts = roles.DerivedCounts,
        };
        return DistrictAggregator.Build(
            [.. districts.Units.Select(u => new AggregationDistrict(u.Code, u.Name, u.Geometry))],
            columns,
            configuration);
    }

    /// <summary>The <see cref="DatasetVersion"/> of these inputs: files by role and content, option sections by name.</summary>
    /// <param name="tilesArchive">
    /// A <c>Tiles:Source</c>: the SHA-256 digest naming the content of an opened PMTiles archive (a file's bytes, an
    /// object's ETag and length), or the path of an MBTiles file, hashed here.
    /// </param>
    private static string ComputeVersion(DatasetOptions options, TilesOptions? tiles, string? tilesArchive, IReadOnlyDictionary<string, object>? answerOptions)
    {
        var archiveIsFile = tilesArchive is not null && File.Exists(tilesArchive);
        var layerParts = Path.GetExtension(options.Districts).Equals(".shp", StringComparison.OrdinalIgnoreCase)
            ? ShapefileParts.Select(ext => Path.ChangeExtension(options.Districts, ext))
            : [options.Districts];
        var files = layerParts.Select(path => (Key: "Dataset:Districts", Path: path))
            .Append((Key: "Dataset:Estimates", Path: options.Estimates))
            .Concat(archiveIsFile ? [(Key: "Tiles:Source", Path: tilesArchive!)] : [])
            .Where(file => File.Exists(file.Path))
            .Select(file => KeyValuePair.Create(file.Key + Path.GetExtension(file.Path).ToLowerInvariant(), file.Path));
        var sections = (answerOptions ?? new Dictionary<string, object>())
            .Append(KeyValuePair.Create<string, object>(DatasetOptions.SectionName, options))
            .Concat(tiles is null ? [] : [KeyValuePair.Create<string, object>(TilesOptions.SectionName, tiles)]);
        IEnumerable<KeyValuePair<string, string>> contents = tilesArchive is null || archiveIsFile ? [] : [KeyValuePair.Create("Tiles:Source.pmtiles", tilesArchive)];
        return DatasetVersion.Compute(files, sections, contents);
    }
}
