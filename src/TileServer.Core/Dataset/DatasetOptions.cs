using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Versioning;

namespace TileServer.Core.Dataset;

/// <summary>
/// Where the dataset comes from and how to read and join it: the <c>Dataset</c> configuration section.
/// Defaults fit INEI's district layer and <c>poverty.csv</c> (and the embedded sample, which follows them).
/// </summary>
public sealed class DatasetOptions
{
    public const string SectionName = "Dataset";

    /// <summary>District polygons: a <c>.shp</c> (with .shx, .dbf, optional .prj and .cpg) or a <c>.geojson</c>.</summary>
    [NotInVersion("a path: the files' bytes enter the version")]
    public string Districts { get; set; } = string.Empty;

    /// <summary>Estimates CSV joined to the districts by code.</summary>
    [NotInVersion("a path: the file's bytes enter the version")]
    public string Estimates { get; set; } = string.Empty;

    /// <summary>
    /// A snapshot file written by <c>export-snapshot</c> (<c>Snapshots.SnapshotFile</c>): when set, the server
    /// serves it instead of loading <see cref="Districts"/> and <see cref="Estimates"/>, without recomputing anything,
    /// and a reload reads the file again. Empty: load the sources.
    /// </summary>
    [NotInVersion("a path: the file holds the version it was exported under")]
    public string Snapshot { get; set; } = string.Empty;

    /// <summary>
    /// Whether <c>GET /v1/dataset</c> shows the input files' full paths; by default it shows their names only, so
    /// that the server's directory layout is not published (issue 17, defect 12). An operator's switch for debugging.
    /// </summary>
    [NotInVersion("what GET /v1/dataset shows of where the files are: no data answer changes")]
    public bool ShowFilePaths { get; set; }

    /// <summary>District code attribute in the polygon layer.</summary>
    public string DistrictKey { get; set; } = "UBIGEO";

    /// <summary>District code column in the estimates CSV.</summary>
    public string EstimatesKey { get; set; } = "ubigeo";

    /// <summary>Length of a district code; shorter numeric-looking codes are left-padded with zeros.</summary>
    public int DistrictCodeLength { get; set; } = 6;

    /// <summary>Length of the district-code prefix that is the province code.</summary>
    public int ProvinceCodeLength { get; set; } = 4;

    /// <summary>Length of the district-code prefix that is the department code.</summary>
    public int DepartmentCodeLength { get; set; } = 2;

    /// <summary>Comma-separated fields holding district names, tried in order in the polygon attributes, then in the estimates.</summary>
    public string DistrictNameFields { get; set; } = "NOMBDIST,distrito";

    /// <summary>Comma-separated fields holding province names (see <see cref="DistrictNameFields"/>).</summary>
    public string ProvinceNameFields { get; set; } = "NOMBPROV,provincia";

    /// <summary>Comma-separated fields holding department names (see <see cref="DistrictNameFields"/>).</summary>
    public string DepartmentNameFields { get; set; } = "NOMBDEP,departamento";

    /// <summary>The population column: summed over districts, and the weight of every rate column.</summary>
    public string PopulationColumn { get; set; } = "poblacion";

    /// <summary>Comma-separated numeric columns that are counts (summed when dissolving); every other numeric column is a rate (population-weighted mean).</summary>
    public string ExtensiveColumns { get; set; } = "poblacion";

    /// <summary>
    /// Comma-separated counts derived by aggregation from a percentage column and the apportioned population, each
    /// <c>name=rateColumn</c> (estimated persons = rate / 100 × population); entries whose rate column is not a
    /// numeric column of the estimates are left out. Every numeric column not in <see cref="ExtensiveColumns"/> is
    /// aggregated as a rate.
    /// </summary>
    public string DerivedCounts { get; set; } = "pobres=pobreza_pct,pobres_extremos=pobreza_extrema_pct";

    /// <summary>
    /// Clean the district layer into a polygonal coverage at load (see <see cref="Coverage.CoverageCleaner"/>): overlaps
    /// given to one district, narrow gaps merged, shared borders identical. Everything is served from the cleaned
    /// geometry; the source geometry is kept for analysts. Off: the layer is served as published (only measured).
    /// </summary>
    public bool CleanCoverage { get; set; } = true;

    /// <summary>Gaps narrower than this (metres, the diameter of the widest circle inside them) are merged into a neighbour when cleaning; wider holes stay holes.</summary>
    public double MaxGapWidthMetres { get; set; } = 1000;

    /// <summary>
    /// What the estimate columns mean (title, unit, description), by column name: shown in the features' schema and
    /// queryables. The defaults describe the columns of INEI's poverty table (and the embedded sample, which follows it);
    /// <c>Dataset:ColumnDescriptions:name:Title=...</c> adds or overrides one.
    /// </summary>
    public Dictionary<string, ColumnDescription> ColumnDescriptions { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["poblacion"] = new() { Title = "Population", Unit = "persons", Description = "Population estimate, 2020 (INEI)." },
        ["pobreza_pct"] = new() { Title = "Monetary poverty rate", Unit = "%", Description = "Share of the population below the monetary poverty line (INEI poverty map 2018)." },
        ["pobreza_extrema_pct"] = new() { Title = "Extreme poverty rate", Unit = "%", Description = "Share of the population below the extreme poverty line (INEI poverty map 2013)." },
        ["idh"] = new() { Title = "Human development index", Unit = "1", Description = "Human development index 2019 (PNUD), 0 to 1." },
        ["vulnerabilidad_alimentaria"] = new() { Title = "Food insecurity vulnerability index", Unit = "1", Description = "Food-insecurity vulnerability index (MIDIS), 0 to 1." },
        ["departamento"] = new() { Title = "Department name (estimates table)" },
        ["provincia"] = new() { Title = "Province name (estimates table)" },
        ["distrito"] = new() { Title = "District name (estimates table)" },
    };

    /// <summary>Attribute encoding for a shapefile with no <c>.cpg</c>.</summary>
    public string DefaultShapefileEncoding { get; set; } = "ISO-8859-1";

    /// <summary>Text encoding of the estimates CSV.</summary>
    public string EstimatesEncoding { get; set; } = "utf-8";

    /// <summary>Largest input file in bytes (each part of the layer, the CSV).</summary>
    [NotInVersion("a load limit: it refuses an input, it never changes an answer")]
    public long MaxFileBytes { get; set; } = LoadLimits.DefaultMaxFileBytes;

    /// <summary>Most vertices in one district (one record, and all records sharing a code).</summary>
    [NotInVersion("a load limit: it refuses an input, it never changes an answer")]
    public int MaxVerticesPerUnit { get; set; } = LoadLimits.DefaultMaxVerticesPerUnit;

    /// <summary>Longest a load may take, in seconds, before it fails naming the step (and record) it had reached.</summary>
    [NotInVersion("a load limit: it refuses an input, it never changes an answer")]
    public int LoadTimeoutSeconds { get; set; } = 1800;

    /// <summary>
    /// Reload when an input file changes (the layer and its side-car files, the CSV, a <c>Tiles:Source</c> archive),
    /// once the files have been quiet for <see cref="WatchQuietSeconds"/>.
    /// </summary>
    [NotInVersion("when to reload: the files' bytes enter the version, not how their change was noticed")]
    public bool Watch { get; set; }

    /// <summary>How long the watched files must go without a change before a reload reads them (a copy in progress keeps changing).</summary>
    [NotInVersion("when to reload: the files' bytes enter the version, not how their change was noticed")]
    public double WatchQuietSeconds { get; set; } = 2;

    /// <summary>
    /// The Linux nice value of the threads that build reloads (0, as the requests, to 19, the lowest priority), read at
    /// start: a reload then takes mostly the CPU that requests leave. The first load, with nothing yet to serve, runs at
    /// normal priority. Default 10 (scheduler weight 110 against 1024 at nice 0): at 19 (weight 15) a reload on a
    /// server kept busy never finished in practice (a sample reload did not end in two minutes beside a test run).
    /// </summary>
    [NotInVersion("how fast a reload builds: it never changes an answer")]
    public int ReloadNiceness { get; set; } = 10;

    /// <summary>
    /// While a reload builds, the GC runs in <c>SustainedLowLatency</c> mode (gen-2 collections in the background, not
    /// blocking), so that collecting a heap holding two snapshots does not pause the requests. Read at start.
    /// </summary>
    [NotInVersion("how a reload collects garbage: it never changes an answer")]
    public bool ReloadLowLatencyGc { get; set; } = true;

    /// <summary>The load limits as the readers take them.</summary>
    public LoadLimits ToLoadLimits() => new() { MaxFileBytes = MaxFileBytes, MaxVerticesPerUnit = MaxVerticesPerUnit };

    /// <summary>The estimates columns configured as numeric: population, extensive columns and the rates of derived counts.</summary>
    public IReadOnlyCollection<string> NumericColumns() =>
        [PopulationColumn, .. SplitList(ExtensiveColumns), .. DerivedCountPairs().Select(p => p.RateColumn)];

    internal static IReadOnlyList<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The code lengths as the model's <see cref="AdminCodes"/>.</summary>
    public AdminCodes ToAdminCodes() => new(DepartmentCodeLength, ProvinceCodeLength, DistrictCodeLength);

    /// <summary>How the district layer is joined: key field, code lengths, district name fields.</summary>
    public DistrictJoinOptions ToJoinOptions() => new(DistrictKey, ToAdminCodes(), NameFields(AdminLevel.District), MaxVerticesPerUnit);

    /// <summary>The fields that hold the names of <paramref name="level"/>'s units, in the order they are tried.</summary>
    public IReadOnlyList<string> NameFields(AdminLevel level) => SplitList(level switch
    {
        AdminLevel.Department => DepartmentNameFields,
        AdminLevel.Province => ProvinceNameFields,
        AdminLevel.District => DistrictNameFields,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    });

    /// <summary>The roles of <paramref name="columns"/> by <see cref="PopulationColumn"/>, <see cref="ExtensiveColumns"/> and <see cref="DerivedCounts"/>.</summary>
    public ColumnRoles ResolveColumnRoles(IReadOnlyList<EstimateColumn> columns) =>
        ColumnRoles.Resolve(columns, PopulationColumn, SplitList(ExtensiveColumns), DerivedCountPairs().Select(p => new DerivedCount(p.Name, p.RateColumn)));

    /// <summary>Problems with the values themselves (not the files), one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var fromSources = string.IsNullOrWhiteSpace(Snapshot);
        if (fromSources && string.IsNullOrWhiteSpace(Districts))
        {
            errors.Add("Dataset:Districts is required (path to a .shp or .geojson)");
        }

        if (fromSources && string.IsNullOrWhiteSpace(Estimates))
        {
            errors.Add("Dataset:Estimates is required (path to a .csv)");
        }

        if (string.IsNullOrWhiteSpace(DistrictKey) || string.IsNullOrWhiteSpace(EstimatesKey))
        {
            errors.Add("Dataset:DistrictKey and Dataset:EstimatesKey must name a field");
        }

        if (!ToAdminCodes().IsValid)
        {
            errors.Add($"code lengths must satisfy 0 < Dataset:DepartmentCodeLength ({DepartmentCodeLength}) < Dataset:ProvinceCodeLength ({ProvinceCodeLength}) < Dataset:DistrictCodeLength ({DistrictCodeLength})");
        }

        if (!(MaxGapWidthMetres >= 0 && MaxGapWidthMetres <= 100_000))
        {
            errors.Add($"Dataset:MaxGapWidthMetres must be between 0 and 100000, got {MaxGapWidthMetres}");
        }

        if (MaxFileBytes < 1)
        {
            errors.Add($"Dataset:MaxFileBytes must be positive, got {MaxFileBytes}");
        }

        if (MaxVerticesPerUnit < 4)
        {
            errors.Add($"Dataset:MaxVerticesPerUnit must be at least 4 (one ring), got {MaxVerticesPerUnit}");
        }

        if (LoadTimeoutSeconds < 1)
        {
            errors.Add($"Dataset:LoadTimeoutSeconds must be at least 1, got {LoadTimeoutSeconds}");
        }

        if (ReloadNiceness is < 0 or > 19)
        {
            errors.Add($"Dataset:ReloadNiceness must be between 0 and 19, got {ReloadNiceness}");
        }

        if (!(WatchQuietSeconds is >= 0.1 and <= 3600))
        {
            errors.Add($"Dataset:WatchQuietSeconds must be between 0.1 and 3600, got {WatchQuietSeconds}");
        }

        foreach (var entry in SplitList(DerivedCounts))
        {
            var parts = entry.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                errors.Add($"Dataset:DerivedCounts entries must be name=rateColumn, got '{entry}'");
            }
        }

        return errors;
    }

    private IEnumerable<(string Name, string RateColumn)> DerivedCountPairs() =>
        SplitList(DerivedCounts).Select(e => e.Split('=', StringSplitOptions.TrimEntries)).Where(p => p.Length == 2).Select(p => (p[0], p[1]));
}
