using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TileServer.Core.Admin;
using TileServer.Core.Aggregation;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;
using TileServer.Core.Index;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;

namespace TileServer.Core.Dataset;

/// <summary>
/// Builds a <see cref="DatasetSnapshot"/> from <see cref="DatasetOptions"/>: read the polygon layer
/// (<see cref="PolygonLayerReader"/>), read the estimates (<see cref="EstimatesCsvReader"/>), join them
/// (<see cref="DistrictJoiner"/>), derive provinces and departments (<see cref="AdminLevelBuilder"/>).
/// </summary>
/// <remarks>
/// The version is the first 16 hex digits of SHA-256 over every input file's bytes (the layer and its side-car
/// files, the CSV) and the options, so it changes exactly when what is served can change.
/// Thread safety: stateless; loads share nothing.
/// </remarks>
public static class DatasetLoader
{
    private static readonly string[] ShapefileParts = [".shp", ".shx", ".dbf", ".prj", ".cpg"];

    /// <exception cref="DataFileException">An input file is missing or unusable; the message names it.</exception>
    public static DatasetSnapshot Load(DatasetOptions options) => Load(options, null);

    /// <param name="tiles">The vector tileset to precompute (<see cref="TilesetBuilder"/>); null or disabled: none.</param>
    /// <param name="cancellationToken">Stops the load (checked per record while reading, and between steps).</param>
    /// <exception cref="DataFileException">
    /// An input file is missing or unusable, or the load took longer than <see cref="DatasetOptions.LoadTimeoutSeconds"/>;
    /// the message names the file (and the record or the step reached).
    /// </exception>
    public static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, CancellationToken cancellationToken = default)
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
            return Load(options, tiles, deadline.Token, step);
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

    private static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles, CancellationToken token, LoadStep step)
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
        if (options.CleanCoverage)
        {
            (districts, cleaning) = Clean(districts, options);
            sourceCoverage = cleaning.RawQuality;
            timings["cleanCoverage"] = Lap();
        }
        else
        {
            sourceCoverage = CoverageQuality.Measure([.. districts.Units.Select(u => u.Geometry)]);
            timings["measureCoverage"] = Lap();
        }

        step.Enter(options.Districts, "dissolving provinces and departments", token);
        var parents = ParentIndex.FromDistrictCodes(codes, [.. districts.Units.Select(u => u.Code)]);
        var roles = options.ResolveColumnRoles(districts.Columns);
        var provinces = AdminLevelBuilder.Build(districts, AdminLevel.Province, parents, roles, options.NameFields(AdminLevel.Province), options.CleanCoverage);
        var departments = AdminLevelBuilder.Build(districts, AdminLevel.Department, parents, roles, options.NameFields(AdminLevel.Department), options.CleanCoverage);
        timings["dissolve"] = Lap();
        step.Enter(options.Districts, "building the aggregator and lookup index", token);
        var aggregator = BuildAggregator(districts, roles);
        timings["aggregator"] = Lap();
        var locator = DistrictLocator.Build([.. districts.Units.Select(u => u.Geometry)]);
        timings["lookupIndex"] = Lap();
        var version = ComputeVersion(options);
        timings["version"] = Lap();
        ITileSource? tileSource = null;
        TilesetStatistics? tileStatistics = null;
        string? tilesVersion = null;
        if (tiles is { Enabled: true })
        {
            step.Enter(options.Districts, "building the tiles", token);
            if (string.IsNullOrWhiteSpace(tiles.Source))
            {
                var tileset = TilesetBuilder.Build(departments, provinces, districts, parents, version, options.CleanCoverage, tiles);
                (tileSource, tileStatistics) = (tileset, tileset.Statistics);
            }
            else
            {
                tilesVersion = TileArchive.ContentVersion(tiles.Source);
                tileSource = TileArchive.Open(tiles.Source);
            }

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
            Aggregator = aggregator,
            Locator = locator,
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

    /// <summary>The district layer with cleaned geometries (<see cref="CoverageCleaner"/>), source geometries kept.</summary>
    private static (AdminLayer Districts, CoverageCleaningReport Report) Clean(AdminLayer districts, DatasetOptions options)
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
        return (new AdminLayer(AdminLevel.District, districts.Columns, cleaned), result.Report);
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

    private static string ComputeVersion(DatasetOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var inputs = Path.GetExtension(options.Districts).Equals(".shp", StringComparison.OrdinalIgnoreCase)
            ? ShapefileParts.Select(ext => Path.ChangeExtension(options.Districts, ext))
            : [options.Districts];
        foreach (var file in inputs.Append(options.Estimates).Where(File.Exists))
        {
            hash.AppendData(File.ReadAllBytes(file));
        }

        // The options that shape the result count too, but not where the files happen to be.
        var shaping = JsonSerializer.SerializeToNode(options)!.AsObject();
        shaping.Remove(nameof(DatasetOptions.Districts));
        shaping.Remove(nameof(DatasetOptions.Estimates));
        hash.AppendData(Encoding.UTF8.GetBytes(shaping.ToJsonString()));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }
}
