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
using TileServer.Core.Ranking;
using TileServer.Core.Search;
using TileServer.Core.Storage;
using TileServer.Core.Styles;
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
    /// <exception cref="DataFileException">An input file is missing or unusable; the message names it.</exception>
    public static DatasetSnapshot Load(DatasetOptions options, TilesOptions? tiles)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var timings = new Dictionary<string, long>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        long Lap()
        {
            var elapsed = clock.ElapsedMilliseconds;
            clock.Restart();
            return elapsed;
        }

        var layer = PolygonLayerReader.Read(options.Districts, new LayerReadOptions { DefaultShapefileEncoding = options.DefaultShapefileEncoding });
        timings["readLayer"] = Lap();
        var estimates = EstimatesCsvReader.Read(options.Estimates, new EstimatesReadOptions
        {
            KeyColumn = options.EstimatesKey,
            KeyWidth = options.DistrictCodeLength,
            Encoding = options.EstimatesEncoding,
        });
        timings["readEstimates"] = Lap();
        var codes = options.ToAdminCodes();
        var (districts, join) = DistrictJoiner.Join(layer, estimates, options.ToJoinOptions());
        timings["join"] = Lap();
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

        var parents = ParentIndex.FromDistrictCodes(codes, [.. districts.Units.Select(u => u.Code)]);
        var roles = options.ResolveColumnRoles(districts.Columns);
        var provinces = AdminLevelBuilder.Build(districts, AdminLevel.Province, parents, roles, options.NameFields(AdminLevel.Province), options.CleanCoverage);
        var departments = AdminLevelBuilder.Build(districts, AdminLevel.Department, parents, roles, options.NameFields(AdminLevel.Department), options.CleanCoverage);
        timings["dissolve"] = Lap();
        var aggregator = BuildAggregator(districts, roles);
        timings["aggregator"] = Lap();
        var locator = DistrictLocator.Build([.. districts.Units.Select(u => u.Geometry)]);
        timings["lookupIndex"] = Lap();
        AdminLayer[] layers = [departments, provinces, districts];
        var search = UnitSearchIndex.Build(layers, roles.PopulationColumn);
        timings["searchIndex"] = Lap();
        var classes = ChoroplethClasses.Build(layers);
        var ranks = UnitRanks.Build(layers, parents);
        timings["classesAndRanks"] = Lap();
        var version = ComputeVersion(options);
        timings["version"] = Lap();
        ITileSource? tileSource = null;
        TilesetStatistics? tileStatistics = null;
        string? tilesVersion = null;
        if (tiles is { Enabled: true })
        {
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
            Search = search,
            Classes = classes,
            Ranks = ranks,
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
