namespace TileServer.Core.Join;

/// <summary>How the polygon layer and the estimates matched up. Code lists are sorted ordinally.</summary>
public sealed record JoinReport
{
    /// <summary>District polygons (after merging records that share a code).</summary>
    public required int Polygons { get; init; }

    public required int EstimateRows { get; init; }

    public required int Matched { get; init; }

    /// <summary>Codes of polygons with no estimates row.</summary>
    public required IReadOnlyList<string> UnmatchedPolygons { get; init; }

    /// <summary>Codes of estimate rows with no polygon.</summary>
    public required IReadOnlyList<string> UnmatchedRows { get; init; }

    /// <summary>Empty cells per estimates column, over all rows.</summary>
    public required IReadOnlyDictionary<string, int> MissingValues { get; init; }

    /// <summary>Codes that several polygon records carry; their parts were merged into one district.</summary>
    public required IReadOnlyList<string> MergedPolygonCodes { get; init; }
}
