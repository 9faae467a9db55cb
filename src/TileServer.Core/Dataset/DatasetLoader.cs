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
        var (districts, join) = DistrictJoiner.Join(layer, estimates, options);
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

        var provinces = AdminLevelBuilder.Build(districts, AdminLevel.Province, options, options.CleanCoverage);
        var departments = AdminLevelBuilder.Build(districts, AdminLevel.Department, options, options.CleanCoverage);
        timings["dissolve"] = Lap();
        var aggregator = BuildAggregator(districts, options);
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
            if (string.IsNullOrWhiteSpace(tiles.Source))
            {
                var tileset = TilesetBuilder.Build(departments, provinces, districts, version, options.CleanCoverage, tiles);
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

    /// <summary>
    /// The aggregator over the served district geometry: the population column is the weight, the other extensive
    /// columns are apportioned, every other numeric column is a rate, and derived counts whose rate column exists.
    /// </summary>
    private static DistrictAggregator BuildAggregator(AdminLayer districts, DatasetOptions options)
    {
        var extensive = DatasetOptions.SplitList(options.ExtensiveColumns);
        var numeric = districts.Columns.Select((column, index) => (column, index)).Where(c => c.column.Kind == ColumnKind.Number).ToList();
        var columns = new Dictionary<string, IReadOnlyList<double?>>(StringComparer.OrdinalIgnoreCase);
        foreach (var (column, index) in numeric)
        {
            columns[column.Name] = [.. districts.Units.Select(u => u.Values[index] as double?)];
        }

        if (!columns.ContainsKey(options.PopulationColumn))
        {
            // Without a population column every district is weightless: areas and counts still aggregate, rates do not.
            columns[options.PopulationColumn] = new double?[districts.Units.Count];
        }

        bool IsExtensive(string name) => extensive.Contains(name, StringComparer.OrdinalIgnoreCase) || string.Equals(name, options.PopulationColumn, StringComparison.OrdinalIgnoreCase);
        var intensive = numeric.Select(c => c.column.Name).Where(n => !IsExtensive(n)).ToList();
        var configuration = new AggregationConfiguration
        {
            WeightColumn = options.PopulationColumn,
            ExtensiveColumns = [.. numeric.Select(c => c.column.Name).Where(n => IsExtensive(n) && !string.Equals(n, options.PopulationColumn, StringComparison.OrdinalIgnoreCase))],
            IntensiveColumns = intensive,
            DerivedCounts = [.. options.DerivedCountPairs()
                .Where(d => intensive.Contains(d.RateColumn, StringComparer.OrdinalIgnoreCase))
                .Select(d => new DerivedCount(d.Name, d.RateColumn))],
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
