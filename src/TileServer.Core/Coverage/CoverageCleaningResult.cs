using NetTopologySuite.Geometries;

namespace TileServer.Core.Coverage;

/// <summary>A district whose area changed noticeably in cleaning.</summary>
/// <param name="Code">The district code.</param>
/// <param name="RawSquareKilometres">Area of the source polygon.</param>
/// <param name="CleanedSquareKilometres">Area of the cleaned polygon.</param>
/// <param name="RelativeChange">(cleaned - raw) / raw.</param>
public sealed record DistrictAreaChange(string Code, double RawSquareKilometres, double CleanedSquareKilometres,
    double RelativeChange);

/// <summary>What cleaning did, for the dataset report.</summary>
/// <param name="RawQuality">Overlaps and gaps of the source layer.</param>
/// <param name="OverlapsResolved">Pieces (faces) covered by two or more districts, each now given to one.</param>
/// <param name="OverlapsResolvedSquareKilometres">Their total area.</param>
/// <param name="GapsMerged">Holes narrower than the gap width merged into a neighbour.</param>
/// <param name="GapsMergedSquareKilometres">Their total area.</param>
/// <param name="HolesKept">Holes at least as wide as the gap width, left as holes.</param>
/// <param name="HolesKeptSquareKilometres">Their total area.</param>
/// <param name="RawTotalSquareKilometres">Sum of the source districts' areas (overlaps counted twice).</param>
/// <param name="CleanedTotalSquareKilometres">Sum of the cleaned districts' areas.</param>
/// <param name="ChangedDistricts">Districts whose area changed by more than the report threshold, largest change first.</param>
/// <param name="LargestRelativeChange">The largest absolute relative area change of any district.</param>
/// <param name="GapWidthMetres">The gap width used.</param>
/// <param name="Elapsed">Wall time of the whole cleaning.</param>
public sealed record CoverageCleaningReport(
    CoverageQualityReport RawQuality,
    int OverlapsResolved,
    double OverlapsResolvedSquareKilometres,
    int GapsMerged,
    double GapsMergedSquareKilometres,
    int HolesKept,
    double HolesKeptSquareKilometres,
    double RawTotalSquareKilometres,
    double CleanedTotalSquareKilometres,
    IReadOnlyList<DistrictAreaChange> ChangedDistricts,
    double LargestRelativeChange,
    double GapWidthMetres,
    TimeSpan Elapsed)
{
    /// <summary>Districts whose area changed by more than <paramref name="fraction"/> (absolute), among those listed.</summary>
    public int CountChangedMoreThan(double fraction) =>
        ChangedDistricts.Count(change => Math.Abs(change.RelativeChange) > fraction);
}

/// <summary>Cleaned district geometries, index-aligned with the input, their topology, and the report.</summary>
/// <param name="Districts">Cleaned Polygon or MultiPolygon per input district, same order (an empty Polygon for a district left without area).</param>
/// <param name="Topology">The cleaned coverage's topology; <see cref="Districts"/> are its units' geometries, vertex for vertex.</param>
/// <param name="Report">What cleaning did.</param>
public sealed record CoverageCleaningResult(IReadOnlyList<Geometry> Districts, CoverageTopology Topology, CoverageCleaningReport Report);
