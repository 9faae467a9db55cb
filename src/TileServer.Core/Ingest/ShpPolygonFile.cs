using System.Buffers.Binary;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;

namespace TileServer.Core.Ingest;

/// <summary>Where one record of a <c>.shp</c> lies: its record header's byte offset and its content length in bytes.</summary>
public readonly record struct ShpRecordSpan(int Offset, int ContentLength);

/// <summary>
/// A bounded reader of the polygon records of an ESRI <c>.shp</c> (ESRI Shapefile Technical Description, 1998): the
/// 100-byte header, then records of a big-endian header (number, content length in 16-bit words) and little-endian
/// content (shape type, box, part and point counts, part starts, points, then Z and M, which are not read).
/// </summary>
/// <remarks>
/// <para>Why not NetTopologySuite.IO.Esri.Shapefile (1.2.0), which the project otherwise prefers: it trusts the counts
/// in a record. Its <c>ShpMultiPartBuilder.ReadParts</c> allocates <c>numParts</c> offsets and <c>numPoints</c>
/// coordinates as read, and <c>StreamExtensions.AssignFrom</c> ignores how many bytes <c>Stream.Read</c> returned,
/// so a short record is filled with whatever the pooled buffer held before. Issue 18 measured it on mutants of the
/// sample: <c>numParts</c> one too many took 35 s and 8 GB; <c>numPoints = 1e8</c> 40 s and 3.9 GB;
/// <c>numParts = int.MaxValue</c> ended in an <see cref="OutOfMemoryException"/> in <c>ReadPartOfsets</c>. Checking
/// every count before the library sees it would repeat the whole record parse, so this reads the records itself and
/// keeps the library as the writer and as the reference reader the tests compare against.</para>
/// <para>Every count is checked against the bytes that remain in its record before anything is allocated for it: a
/// record's parts and points must fit its content length, which must fit the file, so memory is proportional to the
/// file. Rings must be closed and have at least 4 points, coordinates must be finite. Outer rings are clockwise,
/// holes counter-clockwise (the specification's rule); each hole goes to the smallest outer ring that contains it,
/// whatever the order of the parts, and a hole inside no outer ring is taken as an outer ring of its own (as GDAL
/// does). A record is always read as a MultiPolygon, as the library did.</para>
/// <para>Thread safety: stateless.</para>
/// </remarks>
public static class ShpPolygonFile
{
    public const int HeaderLength = 100;
    private const int FileCode = 9994;
    private const int RecordHeaderLength = 8;
    private const int PolygonFixedLength = 44;
    private const int NullShape = 0;

    /// <summary>The shape types read: Polygon, PolygonZ, PolygonM (Z and M are ignored).</summary>
    private static readonly int[] PolygonTypes = [5, 15, 25];

    /// <summary>Checks the header and walks the record headers; returns where each record lies.</summary>
    /// <exception cref="DataFileException">Not a polygon shapefile, truncated, or a record that does not fit.</exception>
    public static IReadOnlyList<ShpRecordSpan> Scan(string path, ReadOnlySpan<byte> shp)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (shp.Length == 0)
        {
            throw new DataFileException(path, "file is empty");
        }

        if (shp.Length < HeaderLength)
        {
            throw new DataFileException(path, $"truncated: {shp.Length} bytes, shorter than the 100-byte shapefile header");
        }

        if (BinaryPrimitives.ReadInt32BigEndian(shp) != FileCode)
        {
            throw new DataFileException(path, "not a shapefile (wrong file code in the header)");
        }

        var declared = BinaryPrimitives.ReadInt32BigEndian(shp[24..]) * 2L;
        if (declared > shp.Length)
        {
            throw new DataFileException(path, $"truncated: the header declares {declared:N0} bytes but the file has {shp.Length:N0}");
        }

        if (declared < HeaderLength)
        {
            throw new DataFileException(path, $"the header declares {declared:N0} bytes, less than the header itself");
        }

        var shapeType = BinaryPrimitives.ReadInt32LittleEndian(shp[32..]);
        if (Array.IndexOf(PolygonTypes, shapeType) < 0)
        {
            throw new DataFileException(path, $"shape type is {ShapeTypeName(shapeType)}; a district layer must be polygons");
        }

        var records = new List<ShpRecordSpan>();
        var end = (int)declared;
        var offset = HeaderLength;
        while (offset < end)
        {
            var number = records.Count + 1;
            if (end - offset < RecordHeaderLength)
            {
                throw new DataFileException(path, $"record {number}: truncated record header at byte {offset:N0}");
            }

            var contentLength = BinaryPrimitives.ReadInt32BigEndian(shp[(offset + 4)..]) * 2L;
            if (contentLength < 4 || contentLength > end - offset - RecordHeaderLength)
            {
                throw new DataFileException(path, $"record {number}: content length {contentLength:N0} bytes does not fit the {end - offset - RecordHeaderLength:N0} bytes left in the file");
            }

            var type = BinaryPrimitives.ReadInt32LittleEndian(shp[(offset + RecordHeaderLength)..]);
            if (type != NullShape && type != shapeType)
            {
                throw new DataFileException(path, $"record {number}: shape type {ShapeTypeName(type)} in a {ShapeTypeName(shapeType)} file");
            }

            records.Add(new ShpRecordSpan(offset, (int)contentLength));
            offset += RecordHeaderLength + (int)contentLength;
        }

        return records;
    }

    /// <summary>
    /// The polygon of record <paramref name="number"/> (1-based, for messages), or null for a null shape or a polygon
    /// with no parts. The raw coordinates are checked: finite, at most <see cref="LoadLimits.MaxVerticesPerUnit"/>.
    /// </summary>
    /// <exception cref="DataFileException">The record's counts, part starts or rings are inconsistent.</exception>
    public static MultiPolygon? Read(string path, ReadOnlySpan<byte> shp, ShpRecordSpan record, int number, GeometryFactory factory, LoadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(limits);
        var content = shp.Slice(record.Offset + RecordHeaderLength, record.ContentLength);
        if (BinaryPrimitives.ReadInt32LittleEndian(content) == NullShape)
        {
            return null;
        }

        if (content.Length < PolygonFixedLength)
        {
            throw new DataFileException(path, $"record {number}: {content.Length} bytes, shorter than the {PolygonFixedLength} bytes of a polygon's box and counts");
        }

        var numParts = BinaryPrimitives.ReadInt32LittleEndian(content[36..]);
        var numPoints = BinaryPrimitives.ReadInt32LittleEndian(content[40..]);
        if (numParts < 0 || numPoints < 0)
        {
            throw new DataFileException(path, $"record {number}: negative count ({numParts} parts, {numPoints} points)");
        }

        var needed = PolygonFixedLength + (4L * numParts) + (16L * numPoints);
        if (needed > content.Length)
        {
            throw new DataFileException(path, $"record {number}: {numParts:N0} parts and {numPoints:N0} points need {needed:N0} bytes but the record has {content.Length:N0}");
        }

        if (numParts == 0)
        {
            return null;
        }

        if (numPoints > limits.MaxVerticesPerUnit)
        {
            throw new DataFileException(path, $"record {number}: {numPoints:N0} vertices, over Dataset:MaxVerticesPerUnit ({limits.MaxVerticesPerUnit:N0})");
        }

        var starts = content.Slice(PolygonFixedLength, 4 * numParts);
        var points = content.Slice(PolygonFixedLength + (4 * numParts), 16 * numPoints);
        var rings = new LinearRing[numParts];
        for (var part = 0; part < numParts; part++)
        {
            var start = BinaryPrimitives.ReadInt32LittleEndian(starts[(4 * part)..]);
            var stop = part + 1 < numParts ? BinaryPrimitives.ReadInt32LittleEndian(starts[(4 * (part + 1))..]) : numPoints;
            if (part == 0 && start != 0)
            {
                throw new DataFileException(path, $"record {number}: the first part starts at point {start}, not 0");
            }

            if (stop <= start || stop > numPoints)
            {
                throw new DataFileException(path, $"record {number}: part {part + 1} runs from point {start} to {stop}, outside 0..{numPoints} or backwards");
            }

            if (stop - start < 4)
            {
                throw new DataFileException(path, $"record {number}: ring {part + 1} has {stop - start} points; a ring needs at least 4");
            }

            var coordinates = new Coordinate[stop - start];
            for (var i = 0; i < coordinates.Length; i++)
            {
                var at = 16 * (start + i);
                var x = BinaryPrimitives.ReadDoubleLittleEndian(points[at..]);
                var y = BinaryPrimitives.ReadDoubleLittleEndian(points[(at + 8)..]);
                if (!double.IsFinite(x) || !double.IsFinite(y))
                {
                    throw new DataFileException(path, $"record {number}: vertex {start + i + 1} is ({x}, {y}); coordinates must be finite numbers");
                }

                coordinates[i] = new Coordinate(x, y);
            }

            if (!coordinates[0].Equals2D(coordinates[^1]))
            {
                throw new DataFileException(path, $"record {number}: ring {part + 1} is not closed (it starts at {coordinates[0].X} {coordinates[0].Y} and ends at {coordinates[^1].X} {coordinates[^1].Y})");
            }

            rings[part] = factory.CreateLinearRing(coordinates);
        }

        return Assemble(rings, factory);
    }

    /// <summary>Outer rings (clockwise, or degenerate) with the holes (counter-clockwise) each smallest containing outer ring holds.</summary>
    private static MultiPolygon Assemble(LinearRing[] rings, GeometryFactory factory)
    {
        var shells = new List<LinearRing>();
        var holes = new List<LinearRing>();
        foreach (var ring in rings)
        {
            (Area.OfRingSigned(ring.CoordinateSequence) >= 0 ? shells : holes).Add(ring);
        }

        var holesOf = new List<LinearRing>[shells.Count];
        for (var s = 0; s < shells.Count; s++)
        {
            holesOf[s] = [];
        }

        var orphans = new List<LinearRing>();
        foreach (var hole in holes)
        {
            var owner = shells.Count == 1 ? 0 : SmallestContainingShell(shells, hole);
            if (owner < 0)
            {
                orphans.Add(hole);
            }
            else
            {
                holesOf[owner].Add(hole);
            }
        }

        var polygons = new List<Polygon>(shells.Count + orphans.Count);
        for (var s = 0; s < shells.Count; s++)
        {
            polygons.Add(factory.CreatePolygon(shells[s], [.. holesOf[s]]));
        }

        foreach (var orphan in orphans)
        {
            polygons.Add(factory.CreatePolygon((LinearRing)orphan.Reverse()));
        }

        return factory.CreateMultiPolygon([.. polygons]);
    }

    private static int SmallestContainingShell(List<LinearRing> shells, LinearRing hole)
    {
        var best = -1;
        var bestArea = double.PositiveInfinity;
        var envelope = hole.EnvelopeInternal;
        for (var s = 0; s < shells.Count; s++)
        {
            var shell = shells[s];
            if (!shell.EnvelopeInternal.Covers(envelope))
            {
                continue;
            }

            var area = Math.Abs(Area.OfRingSigned(shell.CoordinateSequence));
            if (area < bestArea && Inside(hole, shell))
            {
                best = s;
                bestArea = area;
            }
        }

        return best;
    }

    /// <summary>True when the first vertex of <paramref name="hole"/> not on <paramref name="shell"/>'s boundary lies inside it.</summary>
    private static bool Inside(LinearRing hole, LinearRing shell)
    {
        var shellPoints = shell.CoordinateSequence;
        foreach (var point in hole.Coordinates)
        {
            var location = PointLocation.LocateInRing(point, shellPoints);
            if (location != Location.Boundary)
            {
                return location == Location.Interior;
            }
        }

        return true;
    }

    private static string ShapeTypeName(int type) => type switch
    {
        0 => "NullShape",
        1 => "Point",
        3 => "PolyLine",
        5 => "Polygon",
        8 => "MultiPoint",
        11 => "PointZ",
        13 => "PolyLineZ",
        15 => "PolygonZ",
        18 => "MultiPointZ",
        21 => "PointM",
        23 => "PolyLineM",
        25 => "PolygonM",
        28 => "MultiPointM",
        31 => "MultiPatch",
        _ => $"{type} (not a shapefile shape type)",
    };
}
