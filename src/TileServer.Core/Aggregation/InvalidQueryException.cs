using TileServer.Core.Model;

namespace TileServer.Core.Aggregation;

/// <summary>What is wrong with an aggregation query. The HTTP layer maps <see cref="TooManyVertices"/> and
/// <see cref="TooManyFeatures"/> to 413, <see cref="TooComplex"/> to 422 and the rest to 400.</summary>
public enum QueryProblem
{
    /// <summary>The body is not JSON, or is JSON but not GeoJSON (no or unknown <c>type</c>, malformed coordinates,
    /// unclosed rings).</summary>
    NotGeoJson,

    /// <summary>A JSON string or member name that is not Unicode text (bytes that are not UTF-8, or an escaped lone
    /// surrogate such as <c>"\ud800"</c>); the message names its JSON path.</summary>
    InvalidString,

    /// <summary>JSON nested deeper than <see cref="GeoJsonReadLimits.MaxDepth"/>.</summary>
    TooDeep,

    /// <summary>A FeatureCollection with more features than <see cref="GeoJsonReadLimits.MaxFeatures"/>.</summary>
    TooManyFeatures,

    /// <summary>The geometry is neither a Polygon nor a MultiPolygon.</summary>
    NotPolygonal,

    /// <summary>The geometry is empty or has no area (also after repair).</summary>
    Empty,

    /// <summary>A coordinate is NaN or infinite.</summary>
    NonFiniteCoordinate,

    /// <summary>A longitude outside [-180, 180] or a latitude outside [-90, 90] (often projected metres sent as
    /// lon/lat).</summary>
    CoordinateOutOfRange,

    /// <summary>More vertices than <see cref="AggregationLimits.MaxVertices"/>.</summary>
    TooManyVertices,

    /// <summary>A self-intersecting or otherwise invalid ring, with <see cref="InvalidRingHandling.Reject"/>.</summary>
    InvalidRing,

    /// <summary>A box whose minimum is not below its maximum.</summary>
    InvalidBox,

    /// <summary>A circle radius that is not positive, not finite, or above <see cref="AggregationLimits.MaxRadiusKm"/>,
    /// or a circle that would reach a pole or cross the antimeridian.</summary>
    InvalidRadius,

    /// <summary>Well-formed and within the size limits, but more work than a request may ask: more self-intersections
    /// to repair than <see cref="AggregationLimits.MaxSelfIntersections"/>, or more overlay work than
    /// <see cref="AggregationLimits.MaxOverlayVertices"/>. <see cref="InvalidQueryException.Limit"/> names the limit.</summary>
    TooComplex,

    /// <summary>A ring that winds round a pole (its longitudes, made continuous across the antimeridian, do not come
    /// back to where they started), or spans more than 360 degrees of longitude.</summary>
    AroundPole,
}

/// <summary>A query the aggregation cannot answer as given; <see cref="Exception.Message"/> names what is wrong and
/// where, in words fit for an API client.</summary>
public sealed class InvalidQueryException : Exception
{
    public InvalidQueryException(QueryProblem problem, string message)
        : base(MessageText.SingleLine(message))
    {
        Problem = problem;
    }

    /// <summary>A query over the limit named <paramref name="limit"/> (a property of <see cref="AggregationLimits"/>).</summary>
    public InvalidQueryException(QueryProblem problem, string limit, string message)
        : base(MessageText.SingleLine(message))
    {
        Problem = problem;
        Limit = limit;
    }

    public InvalidQueryException()
    {
    }

    public InvalidQueryException(string message)
        : base(MessageText.SingleLine(message))
    {
    }

    public InvalidQueryException(string message, Exception innerException)
        : base(MessageText.SingleLine(message), innerException)
    {
    }

    /// <summary>The kind of problem, for the HTTP status and problem type.</summary>
    public QueryProblem Problem { get; }

    /// <summary>The <see cref="AggregationLimits"/> property the query went over (e.g. <c>MaxSelfIntersections</c>), or
    /// null; the HTTP layer names it by its configuration key.</summary>
    public string? Limit { get; }
}
