namespace TileServer.Core.Aggregation;

/// <summary>
/// What one request may still ask of the engine, across all its query areas (a FeatureCollection shares one budget),
/// and the request's cancellation: the engine checks the token once per candidate district and spends overlay work
/// before each OverlayNG intersection, so that a request costs at most
/// <see cref="AggregationLimits.MaxOverlayVertices"/> of overlay and stops when its client goes.
/// </summary>
/// <remarks>Thread safety: one request's; not to be shared between threads.</remarks>
public sealed class AggregationBudget
{
    /// <param name="maxOverlayVertices">The request's overlay allowance (<see cref="AggregationLimits.MaxOverlayVertices"/>).</param>
    /// <param name="cancellationToken">The request's token (in ASP.NET Core, <c>HttpContext.RequestAborted</c>).</param>
    public AggregationBudget(long maxOverlayVertices, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxOverlayVertices);
        MaxOverlayVertices = maxOverlayVertices;
        CancellationToken = cancellationToken;
    }

    /// <summary>A budget over <paramref name="limits"/>' overlay allowance.</summary>
    public static AggregationBudget For(AggregationLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return new AggregationBudget(limits.MaxOverlayVertices, cancellationToken);
    }

    public long MaxOverlayVertices { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Overlay work spent so far: district plus query vertices of each OverlayNG intersection.</summary>
    public long OverlayVertices { get; private set; }

    /// <summary>Spends <paramref name="vertices"/> of overlay work before an intersection that costs about that much.</summary>
    /// <exception cref="InvalidQueryException"><see cref="QueryProblem.TooComplex"/> when the allowance would be exceeded.</exception>
    internal void SpendOverlay(long vertices)
    {
        if (OverlayVertices + vertices > MaxOverlayVertices)
        {
            throw new InvalidQueryException(QueryProblem.TooComplex, nameof(AggregationLimits.MaxOverlayVertices),
                $"The query's border crosses so many district borders that intersecting them needs more than {MaxOverlayVertices} vertices of overlay work, the limit (district and query vertices, summed over the districts crossed); simplify the geometry, or split it into smaller areas over several requests.");
        }

        OverlayVertices += vertices;
    }
}
