namespace TileServer.Core.Coverage;

/// <summary>Settings of <see cref="CoverageCleaner"/>. Immutable.</summary>
public sealed record CoverageCleaningOptions
{
    /// <summary>
    /// Gaps (holes in the union of the districts) narrower than this, in metres, are merged into a neighbour; wider
    /// ones stay holes. Width is the diameter of the gap's maximum inscribed circle, measured in a local metric frame.
    /// Default 1,000 m: on the Peru layer every sliver left by independently simplified borders is narrower, and the
    /// lakes and river reaches that are real holes are wider.
    /// </summary>
    public double GapWidthMetres { get; init; } = 1000;

    /// <summary>
    /// Cells per degree of the snapping grid. Default 1e7 (1e-7 degree, about 1 cm): fine enough that snapping never
    /// moves a border visibly, and the precision the Peru layer is stored with.
    /// </summary>
    public double GridScale { get; init; } = CoverageQuality.DefaultGridScale;

    /// <summary>Districts whose area changes by more than this fraction are listed in the report. Default 1%.</summary>
    public double ReportAreaChangeAbove { get; init; } = 0.01;

    /// <summary>The defaults above.</summary>
    public static CoverageCleaningOptions Default { get; } = new();
}
