namespace TileServer.Core.Aggregation;

/// <summary>What to do with a query whose rings self-intersect (or are otherwise invalid).</summary>
public enum InvalidRingHandling
{
    /// <summary>Repair with NetTopologySuite's GeometryFixer (a bow-tie becomes two triangles, overlapping parts of a
    /// MultiPolygon are merged) and say so in <see cref="AggregationResult.Repair"/>.</summary>
    Repair,

    /// <summary>Reject with <see cref="QueryProblem.InvalidRing"/>, naming the first problem and its location.</summary>
    Reject,
}

/// <summary>Limits on aggregation queries. Immutable.</summary>
public sealed record AggregationLimits
{
    /// <summary>Most vertices a query geometry may have (all rings together).</summary>
    public int MaxVertices { get; init; } = 100_000;

    /// <summary>Largest circle radius in kilometres.</summary>
    public double MaxRadiusKm { get; init; } = 2000;

    /// <summary>Repair (the default) or reject self-intersecting rings.</summary>
    public InvalidRingHandling InvalidRings { get; init; } = InvalidRingHandling.Repair;
}
