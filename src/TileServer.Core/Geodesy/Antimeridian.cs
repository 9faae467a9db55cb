using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;

namespace TileServer.Core.Geodesy;

/// <summary>
/// The antimeridian rule for polygons that come in as lon/lat (aggregation queries, targeting scopes, CQL2 spatial
/// literals): a ring edge between two positions whose longitudes differ by more than 180 degrees crosses the
/// antimeridian, the shorter way round, and such a polygon is cut there into parts that each stay within
/// [-180, 180] (RFC 7946, section 3.1.9, asks producers to send it cut; this is the reading of an uncut one).
/// </summary>
/// <remarks>
/// <para>Without the rule, the ring <c>[[170,-20],[-170,-20],[-170,10],[170,10],[170,-20]]</c> read as plane
/// coordinates is a 340-degree box round the other side of the world, and an aggregation over it answers its
/// complement. An edge with both ends on the antimeridian (longitude ±180, e.g. the southern edge of the whole-world
/// box <c>[-180,-90]..[180,90]</c>) is taken as it is written: it runs along the edge of the map.</para>
/// <para>The cut: <see cref="Unwrap"/> makes each ring's longitudes continuous (a crossing edge continues past ±180
/// instead of jumping back; holes are moved by whole turns to lie over their shell), so that the polygon is a plane
/// polygon in [-540, 540]; <see cref="Split"/> intersects it with the three 360-degree windows (NetTopologySuite's
/// OverlayNG, snapping fallback through <see cref="OverlayNGRobust"/>) and moves each part back by whole turns. Both
/// are linear in the vertices but for the overlay. A ring whose continuous longitudes do not come back to their start
/// winds round a pole; such rings (and rings spanning more than 360 degrees) have no reading in longitude and
/// latitude, and <see cref="Unwrap"/> gives null.</para>
/// <para>Thread safety: stateless.</para>
/// </remarks>
public static class Antimeridian
{
    /// <summary>True when some ring edge of <paramref name="polygonal"/> crosses the antimeridian.</summary>
    public static bool Crosses(Geometry polygonal)
    {
        ArgumentNullException.ThrowIfNull(polygonal);
        foreach (var polygon in Polygons(polygonal))
        {
            if (Crosses(polygon.ExteriorRing.CoordinateSequence) || polygon.InteriorRings.Any(h => Crosses(h.CoordinateSequence)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A copy of <paramref name="polygonal"/> whose rings have continuous longitudes: each crossing edge continues past
    /// ±180 (so 170 to -170 becomes 170 to 190), each hole moved by whole turns to lie over its shell. Null when a ring
    /// winds round a pole or spans more than 360 degrees of longitude.
    /// </summary>
    public static Geometry? Unwrap(Geometry polygonal)
    {
        ArgumentNullException.ThrowIfNull(polygonal);
        var factory = polygonal.Factory;
        var polygons = new List<Polygon>();
        foreach (var polygon in Polygons(polygonal))
        {
            if (Continuous(polygon.ExteriorRing.CoordinateSequence) is not { } shell)
            {
                return null;
            }

            var shellCentre = Centre(shell);
            var holes = new List<LinearRing>();
            foreach (var hole in polygon.InteriorRings)
            {
                if (Continuous(hole.CoordinateSequence) is not { } coordinates)
                {
                    return null;
                }

                var turns = Math.Round((Centre(coordinates) - shellCentre) / 360);
                if (turns != 0)
                {
                    foreach (var c in coordinates)
                    {
                        c.X -= 360 * turns;
                    }
                }

                holes.Add(factory.CreateLinearRing(coordinates));
            }

            polygons.Add(factory.CreatePolygon(factory.CreateLinearRing(shell), [.. holes]));
        }

        return polygonal is Polygon ? polygons[0] : factory.CreateMultiPolygon([.. polygons]);
    }

    /// <summary>
    /// Cuts an unwrapped polygonal geometry (longitudes in [-540, 540], valid) at ±180 and ±540 and moves each part
    /// back into [-180, 180] by whole turns: a Polygon when one part remains, else a MultiPolygon.
    /// </summary>
    public static Geometry Split(Geometry unwrapped)
    {
        ArgumentNullException.ThrowIfNull(unwrapped);
        var factory = unwrapped.Factory;
        var parts = new List<Polygon>();
        for (var turn = -1; turn <= 1; turn++)
        {
            var window = factory.ToGeometry(new Envelope((360 * turn) - 180, (360 * turn) + 180, -90, 90));
            if (!window.EnvelopeInternal.Intersects(unwrapped.EnvelopeInternal))
            {
                continue;
            }

            var part = OverlayNGRobust.Overlay(unwrapped, window, SpatialFunction.Intersection);
            if (turn != 0)
            {
                part = ProjectedCopy.Of(part, x => x - (360 * turn), y => y);
            }

            parts.AddRange(Polygons(part).Where(p => !p.IsEmpty));
        }

        return parts.Count == 1 ? parts[0] : factory.CreateMultiPolygon([.. parts]);
    }

    private static IEnumerable<Polygon> Polygons(Geometry geometry)
    {
        for (var i = 0; i < geometry.NumGeometries; i++)
        {
            if (geometry.GetGeometryN(i) is Polygon polygon)
            {
                yield return polygon;
            }
        }
    }

    private static bool Crosses(CoordinateSequence ring)
    {
        for (var i = 1; i < ring.Count; i++)
        {
            if (CrossingTurn(ring.GetX(i - 1), ring.GetX(i)) != 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>-1 when the edge from <paramref name="from"/> to <paramref name="to"/> crosses the antimeridian
    /// eastwards (so <paramref name="to"/> continues at +360), +1 westwards, 0 when it does not cross.</summary>
    private static int CrossingTurn(double from, double to)
    {
        var delta = to - from;
        if (Math.Abs(delta) <= 180 || (Math.Abs(from) == 180 && Math.Abs(to) == 180))
        {
            return 0;
        }

        return delta < 0 ? -1 : 1;
    }

    /// <summary>The ring's coordinates with continuous longitudes; null when it does not close or spans over 360 degrees.</summary>
    private static Coordinate[]? Continuous(CoordinateSequence ring)
    {
        var coordinates = new Coordinate[ring.Count];
        var offset = 0.0;
        double min = double.MaxValue, max = double.MinValue;
        for (var i = 0; i < ring.Count; i++)
        {
            if (i > 0)
            {
                offset -= 360 * CrossingTurn(ring.GetX(i - 1), ring.GetX(i));
            }

            var x = ring.GetX(i) + offset;
            coordinates[i] = new Coordinate(x, ring.GetY(i));
            min = Math.Min(min, x);
            max = Math.Max(max, x);
        }

        return offset != 0 || max - min > 360 ? null : coordinates;
    }

    private static double Centre(Coordinate[] ring)
    {
        double min = double.MaxValue, max = double.MinValue;
        foreach (var c in ring)
        {
            min = Math.Min(min, c.X);
            max = Math.Max(max, c.X);
        }

        return (min + max) / 2;
    }
}
