using System.Globalization;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Operation.Valid;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Aggregation;

/// <summary>A validated query polygon in lon/lat and what, if anything, was repaired in it.</summary>
public sealed record ValidatedQuery(Geometry Geometry, string? Repair);

/// <summary>
/// Checks aggregation queries before any work is done and says exactly what is wrong: geometry type, emptiness, vertex
/// count, coordinate range, the antimeridian (<see cref="Antimeridian"/>: an edge spanning more than 180 degrees of
/// longitude crosses it, and the polygon is cut there), ring validity (repaired with NetTopologySuite's
/// <see cref="GeometryFixer"/> or rejected, per <see cref="AggregationLimits.InvalidRings"/>; repair only within
/// <see cref="AggregationLimits.MaxSelfIntersections"/>), and box and circle parameters.
/// </summary>
/// <remarks>
/// Checks run cheapest first: the vertex count before anything that reads every vertex, validity (IsValidOp, noding
/// every ring) after the linear checks, and the self-intersection count (a capped noding pass) before repair, whose
/// work grows faster than the number of crossings. A polygon that crosses the antimeridian is validated and repaired
/// with continuous longitudes, then cut. Thread safety: stateless.
/// </remarks>
public static class QueryValidator
{
    /// <summary>Validates a lon/lat Polygon or MultiPolygon.</summary>
    /// <exception cref="InvalidQueryException">The query is unusable; the message says why.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled between steps.</exception>
    public static ValidatedQuery ValidatePolygonal(Geometry? geometry, AggregationLimits limits, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (geometry is not (Polygon or MultiPolygon))
        {
            throw new InvalidQueryException(QueryProblem.NotPolygonal,
                $"The query geometry must be a Polygon or MultiPolygon, not {geometry?.GeometryType ?? "nothing"}.");
        }

        if (geometry.IsEmpty)
        {
            throw new InvalidQueryException(QueryProblem.Empty, "The query geometry is empty.");
        }

        var vertices = geometry.NumPoints;
        if (vertices > limits.MaxVertices)
        {
            throw new InvalidQueryException(QueryProblem.TooManyVertices, nameof(AggregationLimits.MaxVertices),
                $"The query geometry has {vertices} vertices; the limit is {limits.MaxVertices}.");
        }

        CheckCoordinates(geometry);
        var crossesAntimeridian = Antimeridian.Crosses(geometry);
        if (crossesAntimeridian)
        {
            geometry = Antimeridian.Unwrap(geometry) ?? throw new InvalidQueryException(QueryProblem.AroundPole,
                "A ring of the query geometry winds round a pole (or spans more than 360 degrees of longitude): edges spanning more than 180 degrees of longitude are read as crossing the antimeridian, and this ring's longitudes never come back to where they started. Polygons round a pole are not supported; send the area as polygons that stay off the poles.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (valid, repair) = Repaired(geometry, limits);
        cancellationToken.ThrowIfCancellationRequested();
        return new ValidatedQuery(crossesAntimeridian ? Antimeridian.Split(valid) : valid, repair);
    }

    /// <summary>The geometry when valid, else its repair (or a rejection, per <see cref="AggregationLimits.InvalidRings"/>).</summary>
    private static (Geometry Geometry, string? Repair) Repaired(Geometry geometry, AggregationLimits limits)
    {
        var validity = new IsValidOp(geometry).ValidationError;
        if (validity is null)
        {
            return (geometry, null);
        }

        var where = validity.Coordinate is { } c ? $" at ({Format(Longitude(c.X))}, {Format(c.Y)})" : string.Empty;
        if (limits.InvalidRings == InvalidRingHandling.Reject)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRing, $"The query geometry is invalid: {validity.Message}{where}.");
        }

        if (SelfIntersections.CountUpTo(geometry, limits.MaxSelfIntersections) > limits.MaxSelfIntersections)
        {
            throw new InvalidQueryException(QueryProblem.TooComplex, nameof(AggregationLimits.MaxSelfIntersections),
                $"The query geometry is invalid ({validity.Message}{where}) and its rings cross or touch themselves or each other more than {limits.MaxSelfIntersections} times, the most that is repaired; send a valid polygon (e.g. repaired with ST_MakeValid or GEOS MakeValid) or a simpler one.");
        }

        var fixedGeometry = GeometryFixer.Fix(geometry);
        if (fixedGeometry is not (Polygon or MultiPolygon) || fixedGeometry.IsEmpty || fixedGeometry.Area == 0)
        {
            throw new InvalidQueryException(QueryProblem.Empty,
                $"The query geometry is invalid ({validity.Message}{where}) and has no area once repaired.");
        }

        return (fixedGeometry, $"{validity.Message}{where}: repaired with GeometryFixer");
    }

    /// <summary>A longitude of an unwrapped ring (<see cref="Antimeridian.Unwrap"/>) back in [-180, 180], for messages.</summary>
    private static double Longitude(double x) => x > 180 ? x - 360 : x < -180 ? x + 360 : x;

    /// <summary>Validates a lon/lat box. A <paramref name="minLon"/> above <paramref name="maxLon"/> is a box across
    /// the antimeridian (RFC 7946, section 5.2: the west edge is east of the east edge).</summary>
    /// <exception cref="InvalidQueryException">A bound is out of range or not finite, the box has no width, or
    /// minLat is not below maxLat.</exception>
    public static void ValidateBox(double minLon, double minLat, double maxLon, double maxLat)
    {
        CheckLonLat(minLon, minLat, "bbox minimum");
        CheckLonLat(maxLon, maxLat, "bbox maximum");
        if (minLon == maxLon || !(minLat < maxLat))
        {
            throw new InvalidQueryException(QueryProblem.InvalidBox,
                $"The bbox must be minLon,minLat,maxLon,maxLat with minLat below maxLat and minLon other than maxLon (a minLon above maxLon is a box across the antimeridian); got {Format(minLon)},{Format(minLat)},{Format(maxLon)},{Format(maxLat)}.");
        }
    }

    /// <summary>Validates a circle's centre and radius.</summary>
    /// <exception cref="InvalidQueryException">The centre is out of range, or the radius is not positive, not finite,
    /// too large, or makes the circle reach a pole or cross the antimeridian.</exception>
    public static void ValidateCircle(double lon, double lat, double radiusKm, AggregationLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        CheckLonLat(lon, lat, "circle centre");
        if (!double.IsFinite(radiusKm) || radiusKm <= 0)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRadius, $"radiusKm must be a positive number; got {Format(radiusKm)}.");
        }

        if (radiusKm > limits.MaxRadiusKm)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRadius, $"radiusKm is {Format(radiusKm)}; the limit is {Format(limits.MaxRadiusKm)} km.");
        }

        var north = Geodesic.Direct(lat, lon, 0, radiusKm * 1000);
        var south = Geodesic.Direct(lat, lon, 180, radiusKm * 1000);
        if (north.Azimuth is > 90 and < 270 || south.Azimuth is < 90 or > 270)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRadius, $"A circle of {Format(radiusKm)} km around ({Format(lon)}, {Format(lat)}) reaches a pole.");
        }

        var east = Geodesic.Direct(lat, lon, 90, radiusKm * 1000);
        var west = Geodesic.Direct(lat, lon, 270, radiusKm * 1000);
        if (lon + Math.Abs(Unwrap(east.Lon - lon)) > 180 || lon - Math.Abs(Unwrap(west.Lon - lon)) < -180)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRadius, $"A circle of {Format(radiusKm)} km around ({Format(lon)}, {Format(lat)}) crosses the antimeridian, which is not supported.");
        }
    }

    private static double Unwrap(double dLon) => dLon - (360 * Math.Round(dLon / 360));

    private static void CheckCoordinates(Geometry geometry)
    {
        foreach (var polygon in Polygons(geometry))
        {
            CheckRing(polygon.ExteriorRing.CoordinateSequence);
            foreach (var hole in polygon.InteriorRings)
            {
                CheckRing(hole.CoordinateSequence);
            }
        }
    }

    private static IEnumerable<Polygon> Polygons(Geometry geometry)
    {
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            yield return (Polygon)geometry.GetGeometryN(i);
        }
    }

    private static void CheckRing(CoordinateSequence ring)
    {
        for (var i = 0; i < ring.Count; i++)
        {
            CheckLonLat(ring.GetX(i), ring.GetY(i), "query coordinate");
        }
    }

    /// <summary>Rejects a non-finite or out-of-range lon/lat, naming <paramref name="what"/> (e.g. its JSON path).</summary>
    internal static void CheckLonLat(double lon, double lat, string what)
    {
        if (!double.IsFinite(lon) || !double.IsFinite(lat))
        {
            throw new InvalidQueryException(QueryProblem.NonFiniteCoordinate, $"The {what} ({Format(lon)}, {Format(lat)}) is not a finite number.");
        }

        if (lon is < -180 or > 180 || lat is < -90 or > 90)
        {
            var hint = Math.Abs(lon) > 1000 || Math.Abs(lat) > 1000 ? " It looks like projected metres (e.g. UTM); send WGS 84 longitude and latitude in degrees." : string.Empty;
            throw new InvalidQueryException(QueryProblem.CoordinateOutOfRange,
                $"The {what} ({Format(lon)}, {Format(lat)}) is outside longitude [-180, 180] / latitude [-90, 90].{hint}");
        }
    }

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
