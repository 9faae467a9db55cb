using System.Buffers.Binary;
using NetTopologySuite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace TileServer.Core.Snapshots;

/// <summary>
/// The geometry encoding of a snapshot file's <c>layers</c> section: a non-empty polygonal geometry as flat arrays (its
/// SRID, a kind byte, the polygon count, each polygon's ring count, each ring's point count, then every x, y as a
/// little-endian double), anything else as little-endian EWKB (NTS <see cref="WKBWriter"/>).
/// </summary>
/// <remarks>
/// <para>Why not EWKB for all: NTS's <see cref="WKBReader"/> reads each ordinate through a <see cref="BinaryReader"/>
/// into a sequence it then copies, and that was most of the snapshot's read; the flat form builds each ring's
/// <see cref="Coordinate"/> array once, from counts known up front. Both give the same coordinates, SRID and factory
/// (<see cref="NtsGeometryServices.CreateGeometryFactory(int)"/>), so that every answer is the same as from EWKB.</para>
/// <para>Thread safety: stateless; <see cref="Read"/> may run on any number of threads at once.</para>
/// </remarks>
internal static class SnapshotGeometry
{
    private const byte WkbKind = 0;
    private const byte PolygonKind = 3;
    private const byte MultiPolygonKind = 6;

    /// <summary>Appends <paramref name="geometry"/>, preceded by its encoding's byte length.</summary>
    public static void Write(SnapshotSectionWriter writer, Geometry geometry)
    {
        var body = new SnapshotSectionWriter();
        body.WriteInt32(geometry.SRID);
        Polygon[]? polygons = geometry switch
        {
            Polygon { IsEmpty: false } polygon when Flat(polygon) => [polygon],
            MultiPolygon { IsEmpty: false } multi when multi.Geometries.All(p => p is Polygon { IsEmpty: false } polygon && Flat(polygon)) =>
                [.. multi.Geometries.Cast<Polygon>()],
            _ => null,
        };
        if (polygons is null)
        {
            body.WriteByte(WkbKind);
            var wkb = new WKBWriter(ByteOrder.LittleEndian, handleSRID: true, emitZ: false, emitM: false).Write(geometry);
            body.Stream.Write(wkb);
        }
        else
        {
            body.WriteByte(geometry is Polygon ? PolygonKind : MultiPolygonKind);
            body.WriteInt32(polygons.Length);
            foreach (var polygon in polygons)
            {
                body.WriteInt32(polygon.NumInteriorRings + 1);
                foreach (var ring in Rings(polygon))
                {
                    body.WriteInt32(ring.NumPoints);
                }
            }

            foreach (var ring in polygons.SelectMany(Rings))
            {
                var sequence = ring.CoordinateSequence;
                for (var i = 0; i < sequence.Count; i++)
                {
                    body.WriteDouble(sequence.GetX(i));
                    body.WriteDouble(sequence.GetY(i));
                }
            }
        }

        var bytes = body.ToArray();
        writer.WriteArray<byte>(bytes);
    }

    /// <summary>The geometry <see cref="Write"/> encoded in <paramref name="bytes"/> (without the length before it).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a geometry; the message says why.</exception>
    public static Geometry Read(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        var srid = Int32(bytes, ref position);
        var kind = Take(bytes, ref position, 1)[0];
        var factory = NtsGeometryServices.Instance.CreateGeometryFactory(srid);
        if (kind == WkbKind)
        {
            try
            {
                return new WKBReader(NtsGeometryServices.Instance) { HandleSRID = true }.Read(bytes[position..].ToArray());
            }
            catch (Exception e) when (e is ParseException or ArgumentException or IOException)
            {
                throw new InvalidDataException(e.Message, e);
            }
        }

        if (kind is not (PolygonKind or MultiPolygonKind))
        {
            throw new InvalidDataException($"unknown geometry kind {kind}");
        }

        var polygonCount = Count(bytes, ref position);
        if (kind == PolygonKind && polygonCount != 1)
        {
            throw new InvalidDataException($"a polygon of {polygonCount} parts");
        }

        var ringCounts = new int[polygonCount];
        var pointCounts = new List<int>();
        for (var p = 0; p < polygonCount; p++)
        {
            ringCounts[p] = Count(bytes, ref position);
            for (var r = 0; r < ringCounts[p]; r++)
            {
                pointCounts.Add(Count(bytes, ref position));
            }
        }

        var coordinates = bytes[position..];
        if (coordinates.Length != pointCounts.Sum(c => 16L * c))
        {
            throw new InvalidDataException($"{coordinates.Length} bytes of coordinates for {pointCounts.Sum()} points");
        }

        var polygons = new Polygon[polygonCount];
        var ring = 0;
        var at = 0;
        for (var p = 0; p < polygonCount; p++)
        {
            if (ringCounts[p] == 0)
            {
                throw new InvalidDataException("a polygon without a shell");
            }

            var rings = new LinearRing[ringCounts[p]];
            for (var r = 0; r < rings.Length; r++, ring++)
            {
                var points = new Coordinate[pointCounts[ring]];
                for (var i = 0; i < points.Length; i++, at += 16)
                {
                    points[i] = new Coordinate(
                        BinaryPrimitives.ReadDoubleLittleEndian(coordinates[at..]),
                        BinaryPrimitives.ReadDoubleLittleEndian(coordinates[(at + 8)..]));
                }

                try
                {
                    rings[r] = factory.CreateLinearRing(points);
                }
                catch (ArgumentException e)
                {
                    throw new InvalidDataException($"a ring that cannot be built ({e.Message})", e);
                }
            }

            polygons[p] = factory.CreatePolygon(rings[0], rings[1..]);
        }

        return kind == PolygonKind ? polygons[0] : factory.CreateMultiPolygon(polygons);
    }

    /// <summary>
    /// Whether <see cref="Read"/> of <paramref name="bytes"/> can be left for later, having checked here, without
    /// building anything, everything that could make it fail: a flat polygonal encoding whose counts match its length,
    /// whose polygons have shells and whose rings are closed and long enough (what NTS's LinearRing requires). EWKB
    /// (rare: not polygonal, or empty rings) is not checked here: false, decode it now.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a flat geometry that can be read; the message says why.</exception>
    public static bool CanDefer(ReadOnlySpan<byte> bytes)
    {
        var position = 0;
        Int32(bytes, ref position);
        var kind = Take(bytes, ref position, 1)[0];
        if (kind == WkbKind)
        {
            return false;
        }

        if (kind is not (PolygonKind or MultiPolygonKind))
        {
            throw new InvalidDataException($"unknown geometry kind {kind}");
        }

        var polygonCount = Count(bytes, ref position);
        if (kind == PolygonKind && polygonCount != 1)
        {
            throw new InvalidDataException($"a polygon of {polygonCount} parts");
        }

        var countsStart = position;
        long points = 0;
        for (var p = 0; p < polygonCount; p++)
        {
            var rings = Count(bytes, ref position);
            if (rings == 0)
            {
                throw new InvalidDataException("a polygon without a shell");
            }

            for (var r = 0; r < rings; r++)
            {
                points += Count(bytes, ref position);
            }
        }

        var coordinates = bytes[position..];
        if (coordinates.Length != 16L * points)
        {
            throw new InvalidDataException($"{coordinates.Length} bytes of coordinates for {points} points");
        }

        // The rings again, now that their coordinates are known to be there: first and last point of each.
        position = countsStart;
        var at = 0;
        for (var p = 0; p < polygonCount; p++)
        {
            for (var r = Count(bytes, ref position); r > 0; r--)
            {
                var count = Count(bytes, ref position);
                // As NTS's LinearRing checks: its minimum size, and the last point equal to the first in x and y.
                var last = at + (16 * (count - 1));
                if (count < LinearRing.MinimumValidSize
                    || BinaryPrimitives.ReadDoubleLittleEndian(coordinates[at..]) != BinaryPrimitives.ReadDoubleLittleEndian(coordinates[last..])
                    || BinaryPrimitives.ReadDoubleLittleEndian(coordinates[(at + 8)..]) != BinaryPrimitives.ReadDoubleLittleEndian(coordinates[(last + 8)..]))
                {
                    throw new InvalidDataException($"a ring of {count} points that is not closed");
                }

                at += 16 * count;
            }
        }

        return true;
    }

    /// <summary>Whether the flat form keeps everything of <paramref name="polygon"/>'s rings (EWKB without Z and M keeps x and y too).</summary>
    private static bool Flat(Polygon polygon) => Rings(polygon).All(r => !r.IsEmpty);

    private static IEnumerable<LineString> Rings(Polygon polygon) => [polygon.Shell, .. polygon.Holes];

    private static int Int32(ReadOnlySpan<byte> bytes, ref int position) => BinaryPrimitives.ReadInt32LittleEndian(Take(bytes, ref position, 4));

    private static int Count(ReadOnlySpan<byte> bytes, ref int position)
    {
        var count = Int32(bytes, ref position);
        return count >= 0 && count <= bytes.Length - position
            ? count
            : throw new InvalidDataException($"a count of {count} that the geometry cannot hold");
    }

    private static ReadOnlySpan<byte> Take(ReadOnlySpan<byte> bytes, ref int position, int length)
    {
        if (length > bytes.Length - position)
        {
            throw new InvalidDataException("the geometry ends early");
        }

        var span = bytes.Slice(position, length);
        position += length;
        return span;
    }
}
