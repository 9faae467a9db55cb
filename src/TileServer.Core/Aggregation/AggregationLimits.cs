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

    /// <summary>
    /// Most self-intersections an invalid query may have for repair: pairs of ring segments that cross or touch,
    /// other than neighbours sharing their vertex (<see cref="SelfIntersections"/>). More is
    /// <see cref="QueryProblem.TooComplex"/>. GeometryFixer's time grows faster than the count (on the 2-core
    /// reference machine, star polygons with 1,157, 4,848 and 19,630 crossings took 0.08, 0.9 and 3.4 s, and one with
    /// 250,000 ran past 14 minutes and 17 GB); a digitising slip has a handful.
    /// </summary>
    public int MaxSelfIntersections { get; init; } = 1_000;

    /// <summary>
    /// Most overlay work one request may ask of the engine, all its query areas together: for each district whose
    /// border the query's border crosses (the only ones intersected with OverlayNG), the district's vertices plus the
    /// query's (<see cref="AggregationBudget"/>). More is <see cref="QueryProblem.TooComplex"/>. 10 million is about
    /// 5 s of engine time on the 2-core reference machine for the worst shapes (a comb whose teeth cross every
    /// district of a region); a department-sized polygon of 5,000 vertices needs under a million.
    /// </summary>
    public long MaxOverlayVertices { get; init; } = 10_000_000;
}
