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
/// count, coordinate range, ring validity (repaired with NetTopologySuite's <see cref="GeometryFixer"/> or rejected,
/// per <see cref="AggregationLimits.InvalidRings"/>), and box and circle parameters.
/// </summary>
/// <remarks>
/// Checks run cheapest first: the vertex count before anything that reads every vertex, validity (IsValidOp, noding
/// every ring) last. Thread safety: stateless.
/// </remarks>
public static class QueryValidator
{
    /// <summary>Validates a lon/lat Polygon or MultiPolygon.</summary>
    /// <exception cref="InvalidQueryException">The query is unusable; the message says why.</exception>
    public static ValidatedQuery ValidatePolygonal(Geometry? geometry, AggregationLimits limits)
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
            throw new InvalidQueryException(QueryProblem.TooManyVertices,
                $"The query geometry has {vertices} vertices; the limit is {limits.MaxVertices}.");
        }

        CheckCoordinates(geometry);

        var validity = new IsValidOp(geometry).ValidationError;
        if (validity is null)
        {
            return new ValidatedQuery(geometry, null);
        }

        var where = validity.Coordinate is { } c ? $" at ({Format(c.X)}, {Format(c.Y)})" : string.Empty;
        if (limits.InvalidRings == InvalidRingHandling.Reject)
        {
            throw new InvalidQueryException(QueryProblem.InvalidRing, $"The query geometry is invalid: {validity.Message}{where}.");
        }

        var fixedGeometry = GeometryFixer.Fix(geometry);
        if (fixedGeometry is not (Polygon or MultiPolygon) || fixedGeometry.IsEmpty || fixedGeometry.Area == 0)
        {
            throw new InvalidQueryException(QueryProblem.Empty,
                $"The query geometry is invalid ({validity.Message}{where}) and has no area once repaired.");
        }

        return new ValidatedQuery(fixedGeometry, $"{validity.Message}{where}: repaired with GeometryFixer");
    }

    /// <summary>Validates a lon/lat box.</summary>
    /// <exception cref="InvalidQueryException">A bound is out of range or not finite, or min is not below max.</exception>
    public static void ValidateBox(double minLon, double minLat, double maxLon, double maxLat)
    {
        CheckLonLat(minLon, minLat, "bbox minimum");
        CheckLonLat(maxLon, maxLat, "bbox maximum");
        if (!(minLon < maxLon) || !(minLat < maxLat))
        {
            throw new InvalidQueryException(QueryProblem.InvalidBox,
                $"The bbox must be minLon,minLat,maxLon,maxLat with min below max; got {Format(minLon)},{Format(minLat)},{Format(maxLon)},{Format(maxLat)} (boxes across the antimeridian are not supported).");
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
