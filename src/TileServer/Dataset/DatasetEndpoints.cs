using Microsoft.AspNetCore.Http.HttpResults;
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

    private static Ok<DatasetSummary> Summary(ServedDataset dataset) => TypedResults.Ok(DatasetSummary.From(dataset.Snapshot));
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
    IReadOnlyDictionary<string, long> TimingsMs)
{
    public static DatasetSummary From(DatasetSnapshot snapshot) => new(
        snapshot.Version,
        snapshot.LoadedAt,
        new LevelCounts(snapshot.Departments.Units.Count, snapshot.Provinces.Units.Count, snapshot.Districts.Units.Count),
        [.. snapshot.Districts.Columns.Select(c => new ColumnSummary(c.Name, c.Kind == ColumnKind.Number ? "number" : "text", c.MissingCount))],
        snapshot.Report.Ingest,
        snapshot.Report.Join,
        snapshot.Report.SourceCoverage,
        snapshot.Report.Cleaning is { } c ? CoverageCleaningSummary.From(c) : null,
        snapshot.Report.Tiles,
        snapshot.Report.TimingsMs);
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
