using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TileServer.Core.Coverage;
using TileServer.Core.Dataset;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Tiles;

namespace TileServer.Dataset;

public static class DatasetEndpoints
{
    /// <summary><c>GET /v1/dataset</c> (mapped in the <c>/v1</c> group): version, counts per level, columns, and the load report.</summary>
    public static IEndpointRouteBuilder MapDataset(this IEndpointRouteBuilder api)
    {
        api.MapGet("/dataset", Summary).WithTags("Dataset");
        return api;
    }

    private static Ok<DatasetSummary> Summary(ServedDataset dataset, DatasetReloader reloader, IOptions<DatasetOptions> options) =>
        TypedResults.Ok(DatasetSummary.From(dataset.Snapshot, reloader.Status, options.Value.ShowFilePaths));
}

/// <summary>The documented shape of <c>GET /v1/dataset</c> (see README: field names are stable).</summary>
public sealed record DatasetSummary(
    string Version,
    DateTimeOffset LoadedAt,
    LevelCounts Counts,
    IReadOnlyList<ColumnSummary> Columns,
    IngestReport Ingest,
    JoinReport Join,
    CoverageQualityReport SourceCoverage,
    CoverageCleaningSummary? Cleaning,
    TilesetStatistics? Tiles,
    IReadOnlyDictionary<string, long> TimingsMs,
    ReloadStatus Reload)
{
    /// <param name="snapshot">The dataset.</param>
    /// <param name="reload">The state of the reloads (<c>reload</c>).</param>
    /// <param name="showFilePaths">Full paths of the input files (<c>Dataset:ShowFilePaths</c>); else their names only,
    /// in <c>ingest.file</c>, in the warnings and in the last reload error, which name the files beside it.</param>
    public static DatasetSummary From(DatasetSnapshot snapshot, ReloadStatus reload, bool showFilePaths) => new(
        snapshot.Version,
        snapshot.LoadedAt,
        new LevelCounts(snapshot.Departments.Units.Count, snapshot.Provinces.Units.Count, snapshot.Districts.Units.Count),
        [.. snapshot.Districts.Columns.Select(c => new ColumnSummary(c.Name, c.Kind == ColumnKind.Number ? "number" : "text", c.MissingCount))],
        showFilePaths ? snapshot.Report.Ingest : FileNamesOnly(snapshot.Report.Ingest),
        snapshot.Report.Join,
        snapshot.Report.SourceCoverage,
        snapshot.Report.Cleaning is { } c ? CoverageCleaningSummary.From(c) : null,
        snapshot.Report.Tiles,
        snapshot.Report.TimingsMs,
        showFilePaths || reload.LastError is null
            ? reload
            : reload with { LastError = WithoutFolder(reload.LastError, snapshot.Report.Ingest.File) });

    private static IngestReport FileNamesOnly(IngestReport ingest) => ingest with
    {
        File = Path.GetFileName(ingest.File),
        Warnings = [.. ingest.Warnings.Select(w => WithoutFolder(w, ingest.File))],
    };

    /// <summary>The text with the folder of <paramref name="file"/> taken out of every path in it.</summary>
    private static string WithoutFolder(string text, string file)
    {
        var folder = Path.GetDirectoryName(file);
        return string.IsNullOrEmpty(folder)
            ? text
            : text.Replace(folder + Path.DirectorySeparatorChar, string.Empty, StringComparison.Ordinal);
    }
}

/// <summary>What cleaning did (<c>cleaning</c> in <c>GET /v1/dataset</c>).</summary>
public sealed record CoverageCleaningSummary(
    int OverlapsResolved,
    double OverlapsResolvedKm2,
    int GapsMerged,
    double GapsMergedKm2,
    int HolesKept,
    double HolesKeptKm2,
    double SourceTotalKm2,
    double CleanedTotalKm2,
    double LargestRelativeChange,
    IReadOnlyList<DistrictAreaChange> DistrictsChangedOver1Percent,
    double GapWidthMetres,
    long ElapsedMs)
{
    public static CoverageCleaningSummary From(CoverageCleaningReport report) => new(
        report.OverlapsResolved,
        report.OverlapsResolvedSquareKilometres,
        report.GapsMerged,
        report.GapsMergedSquareKilometres,
        report.HolesKept,
        report.HolesKeptSquareKilometres,
        report.RawTotalSquareKilometres,
        report.CleanedTotalSquareKilometres,
        report.LargestRelativeChange,
        report.ChangedDistricts,
        report.GapWidthMetres,
        (long)report.Elapsed.TotalMilliseconds);
}

public sealed record LevelCounts(int Departments, int Provinces, int Districts);

public sealed record ColumnSummary(string Name, string Type, int Missing);
