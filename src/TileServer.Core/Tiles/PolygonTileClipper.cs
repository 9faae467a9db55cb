using NetTopologySuite.Geometries;
using NetTopologySuite.Operation.OverlayNG;

namespace TileServer.Core.Tiles;

/// <summary>
/// Clips Web Mercator polygons to one tile plus its buffer and turns them into valid MVT rings: integer tile
/// coordinates (y down), no repeated points, no collinear points or spikes, no zero-area rings, exterior rings with
/// positive area by the MVT 2.1 surveyor's formula (clockwise on screen) and holes negative, each exterior followed by
/// its holes.
/// </summary>
/// <remarks>
/// Fast path (almost every polygon): rectangle clipping in tile coordinates. Rings inside the buffered tile are kept
/// whole; rings entirely outside make the tile interior (a shell around it), empty (a hole around it) or do not
/// matter; crossing rings are cut into pieces (Liang-Barsky per segment) that are joined along the tile's edge,
/// through its corners, into rings (Weiler-Atherton for a rectangle: shells counterclockwise and holes clockwise
/// first, so the interior is left of every piece), and holes that stay whole go to the ring holding them. Only a
/// polygon that quantisation makes touch itself (an exact integer edge test, see <c>IsValid</c>) goes to NTS
/// OverlayNG with the tile's grid as precision model (snap-rounding to whole extent units, valid by construction);
/// on Peru's districts at z0-z10 that happens about 135 times in a whole build (2,500 times before, when only rings
/// crossing the edge twice were clipped here).
/// Cut points are computed from the edge's endpoints in a canonical order, so two neighbours sharing an edge get the
/// very same cut point and stay crack-free. Not thread-safe: one per worker.
/// </remarks>
internal sealed class PolygonTileClipper
{
    private static readonly PrecisionModel UnitGrid = new(1.0);
    private static readonly GeometryFactory Factory = new(UnitGrid);
    private const int BruteForceEdges = 12;
    private const int MaxCellsPerSide = 256;

    private readonly List<(int Start, int Count, bool Exterior)> _keptRings = [];
    private int[] _keptXY = new int[256];
    private int _keptCount;
    private EdgeRecord[] _edges = new EdgeRecord[256];
    private int[] _cellStart = new int[256];
    private int[] _cellEdges = new int[1024];
    private double[] _input = new double[256];
    private double[] _clipA = new double[256];
    private double[] _pieceXY = new double[256];
    private double[] _ringXY = new double[256];
    private readonly List<(int Start, int Count, double Entry, double Exit)> _pieces = [];
    private readonly List<(int Start, int Count, bool Exterior)> _rings = [];
    private int _pieceCount;
    private int _ringCount;
    private int[] _ring = new int[256];
    private double _west;
    private double _north;
    private double _scale;
    private double _low;
    private double _high;
    private Geometry _clipBox = null!;
    private PrecisionModel _grid = UnitGrid;

    public int Fallbacks { get; private set; }

    public void SetTile(int zoom, int x, int y, int extent, int buffer)
    {
        _west = WebMercator.TileWest(zoom, x);
        _north = WebMercator.TileNorth(zoom, y);
        _scale = extent / WebMercator.TileSize(zoom);
        _low = -buffer;
        _high = extent + buffer;
        // The overlay works in Web Mercator metres on the tile's grid (one extent unit, aligned with the tile since
        // tile edges are whole multiples of it), so that the input polygon need not be copied and transformed.
        _grid = new PrecisionModel(_scale);
        _clipBox = Factory.ToGeometry(new Envelope(_west + _low / _scale, _west + _high / _scale, _north - _high / _scale, _north - _low / _scale));
    }

    /// <summary>True when the polygon's envelope reaches into the tile (buffer included).</summary>
    public bool Touches(Envelope mercator) =>
        (mercator.MaxX - _west) * _scale >= _low && (mercator.MinX - _west) * _scale <= _high
        && (_north - mercator.MinY) * _scale >= _low && (_north - mercator.MaxY) * _scale <= _high;

    /// <summary>
    /// Appends the clipped rings of a polygonal geometry's parts that reach the tile to <paramref name="output"/>;
    /// returns the number of rings added. Parts are clipped one by one; when several parts remain and rounding made
    /// them cross, the whole geometry goes through the snap-rounding overlay.
    /// </summary>
    public int Clip(Geometry geometry, GeometryCommands output)
    {
        var start = output.Mark();
        RollBack(0);
        var rings = 0;
        var parts = 0;
        for (var p = 0; p < geometry.NumGeometries; p++)
        {
            if (geometry.GetGeometryN(p) is Polygon polygon && !polygon.IsEmpty && Touches(polygon.EnvelopeInternal))
            {
                var added = ClipPart(polygon, output);
                rings += added;
                parts += added > 0 ? 1 : 0;
            }
        }

        if (parts > 1 && !IsValid(0))
        {
            output.Restore(start);
            RollBack(0);
            Fallbacks++;
            rings = ClipWithOverlay(geometry, output);
        }

        return rings;
    }

    private int ClipPart(Polygon polygon, GeometryCommands output)
    {
        var start = output.Mark();
        var firstRing = _keptRings.Count;
        var rings = ClipRectangle(polygon, output);
        if (rings == 0 || IsValid(firstRing))
        {
            return rings;
        }

        // Roll back whatever was written for this polygon.
        output.Restore(start);
        RollBack(firstRing);
        Fallbacks++;
        return ClipWithOverlay(polygon, output);
    }

    /// <summary>Clips one polygon to the buffered tile and writes its quantised rings; returns how many.</summary>
    private int ClipRectangle(Polygon polygon, GeometryCommands output)
    {
        _pieces.Clear();
        _pieceCount = 0;
        _rings.Clear();
        _ringCount = 0;
        var boxIsInterior = false;
        for (var r = 0; r <= polygon.NumInteriorRings; r++)
        {
            var exterior = r == 0;
            var n = Load((exterior ? polygon.ExteriorRing : polygon.GetInteriorRingN(r - 1)).CoordinateSequence, ref _input);
            if (n < 3)
            {
                if (exterior)
                {
                    return 0;
                }

                continue;
            }

            // Shells counterclockwise, holes clockwise (x right, y as stored): the polygon's interior lies left of
            // every ring, so pieces of shells and holes join the same way along the tile's edge.
            if (SignedArea(_input, n) > 0 != exterior)
            {
                ReverseRing(_input, n);
            }

            var outside = FirstOutside(n);
            if (outside < 0)
            {
                AddWholeRing(_input, n, exterior);
                continue;
            }

            if (CutPieces(n, outside) > 0)
            {
                continue;
            }

            // Entirely outside the buffered tile: a shell around the tile makes the tile interior, a hole around it
            // leaves nothing, any other ring does not matter here.
            if (ContainsTileCentre(n))
            {
                if (!exterior)
                {
                    return 0;
                }

                boxIsInterior = true;
            }
            else if (exterior)
            {
                return 0;
            }
        }

        if (_pieces.Count > 0)
        {
            Stitch();
        }
        else if (boxIsInterior)
        {
            Grow(ref _clipA, 8);
            AddWholeRing(_clipA, BoxRing(_clipA), exterior: true);
        }

        return WriteRings(output);
    }

    /// <summary>Quantises the clipped rings, each shell followed by the holes inside it; returns the number kept.</summary>
    private int WriteRings(GeometryCommands output)
    {
        var rings = 0;
        var shells = 0;
        foreach (var ring in _rings)
        {
            shells += ring.Exterior ? 1 : 0;
        }

        foreach (var shell in _rings)
        {
            if (!shell.Exterior || !Quantise(_ringXY.AsSpan(2 * shell.Start, 2 * shell.Count), exterior: true, output))
            {
                continue;
            }

            rings++;
            foreach (var hole in _rings)
            {
                // A hole goes with the first shell holding one of its vertices (the only one, most of the time).
                if (!hole.Exterior
                    && (shells == 1 || RingContains(shell, _ringXY[2 * hole.Start], _ringXY[(2 * hole.Start) + 1]))
                    && Quantise(_ringXY.AsSpan(2 * hole.Start, 2 * hole.Count), exterior: false, output))
                {
                    rings++;
                }
            }
        }

        return rings;
    }

    private void AddWholeRing(double[] xy, int n, bool exterior)
    {
        Grow(ref _ringXY, 2 * (_ringCount + n));
        Array.Copy(xy, 0, _ringXY, 2 * _ringCount, 2 * n);
        _rings.Add((_ringCount, n, exterior));
        _ringCount += n;
    }

    /// <summary>
    /// Cuts _input (n points, starting the walk at an outside vertex) into the pieces inside the buffered tile, each
    /// from the point where it enters to the point where it leaves; returns how many.
    /// </summary>
    private int CutPieces(int n, int outside)
    {
        var before = _pieces.Count;
        var open = false;
        var pieceStart = 0;
        var entry = 0.0;
        for (var k = 0; k < n; k++)
        {
            var i = (outside + k) % n;
            var j = (i + 1) % n;
            double px = _input[2 * i], py = _input[2 * i + 1], qx = _input[2 * j], qy = _input[2 * j + 1];
            if (!ClipSegment(px, py, qx, qy, out var t0, out var edge0, out var t1, out var edge1))
            {
                if (open)
                {
                    // The previous segment ended on the tile's edge and this one leaves from there.
                    _pieces.Add((pieceStart, _pieceCount - pieceStart, entry, Perimeter(px, py)));
                    open = false;
                }

                continue;
            }

            if (!open)
            {
                // The walk starts outside, so a piece always opens where a segment enters.
                var (ex, ey) = Cut(px, py, qx, qy, t0, edge0);
                pieceStart = _pieceCount;
                AddPiecePoint(ex, ey);
                entry = Perimeter(ex, ey);
                open = true;
            }

            if (t1 < 1)
            {
                var (xx, yy) = Cut(px, py, qx, qy, t1, edge1);
                AddPiecePoint(xx, yy);
                _pieces.Add((pieceStart, _pieceCount - pieceStart, entry, Perimeter(xx, yy)));
                open = false;
            }
            else
            {
                AddPiecePoint(qx, qy);
            }
        }

        return _pieces.Count - before;
    }

    private void AddPiecePoint(double x, double y)
    {
        Grow(ref _pieceXY, 2 * (_pieceCount + 1));
        _pieceXY[2 * _pieceCount] = x;
        _pieceXY[(2 * _pieceCount) + 1] = y;
        _pieceCount++;
    }

    /// <summary>
    /// Joins the pieces into rings: from where a piece leaves, along the tile's edge counterclockwise (interior on
    /// the left), through the corners passed, to the nearest entry of a piece not yet used (Weiler-Atherton for a
    /// rectangle).
    /// </summary>
    private void Stitch()
    {
        var perimeter = 4 * (_high - _low);
        var used = new bool[_pieces.Count];
        for (var first = 0; first < _pieces.Count; first++)
        {
            if (used[first])
            {
                continue;
            }

            var ringStart = _ringCount;
            var current = first;
            while (true)
            {
                used[current] = true;
                var (start, count, _, exit) = _pieces[current];
                Grow(ref _ringXY, 2 * (_ringCount + count + 4));
                Array.Copy(_pieceXY, 2 * start, _ringXY, 2 * _ringCount, 2 * count);
                _ringCount += count;
                var next = -1;
                var nearest = double.MaxValue;
                for (var p = 0; p < _pieces.Count; p++)
                {
                    if (used[p] && p != first)
                    {
                        continue;
                    }

                    var distance = _pieces[p].Entry - exit;
                    if (distance < 0)
                    {
                        distance += perimeter;
                    }

                    if (distance < nearest)
                    {
                        nearest = distance;
                        next = p;
                    }
                }

                // Corners strictly between the exit and that entry.
                for (var corner = 1; corner <= 4; corner++)
                {
                    var at = (Math.Floor(exit / (_high - _low)) + corner) * (_high - _low);
                    if (at - exit >= nearest)
                    {
                        break;
                    }

                    var (cx, cy) = Corner((int)(at / (_high - _low)) % 4);
                    _ringXY[2 * _ringCount] = cx;
                    _ringXY[(2 * _ringCount) + 1] = cy;
                    _ringCount++;
                }

                if (next == first)
                {
                    break;
                }

                current = next;
            }

            _rings.Add((ringStart, _ringCount - ringStart, true));
        }
    }

    private (double X, double Y) Corner(int index) => index switch
    {
        0 => (_low, _low),
        1 => (_high, _low),
        2 => (_high, _high),
        _ => (_low, _high),
    };

    /// <summary>Position along the buffered tile's edge, counterclockwise from (low, low); the point is on the edge.</summary>
    private double Perimeter(double x, double y)
    {
        var side = _high - _low;
        if (y == _low)
        {
            return x - _low;
        }

        if (x == _high)
        {
            return side + (y - _low);
        }

        if (y == _high)
        {
            return (2 * side) + (_high - x);
        }

        return (3 * side) + (_high - y);
    }

    /// <summary>
    /// Liang-Barsky: the part [t0, t1] of the segment inside the buffered tile and the box edge (0 x=low, 1 x=high,
    /// 2 y=low, 3 y=high, -1 none) where it enters and leaves; false when no part of positive length is inside.
    /// </summary>
    private bool ClipSegment(double x0, double y0, double x1, double y1, out double t0, out int edge0, out double t1, out int edge1)
    {
        t0 = 0;
        t1 = 1;
        edge0 = edge1 = -1;
        var dx = x1 - x0;
        var dy = y1 - y0;
        if (!Edge(-dx, x0 - _low, 0, ref t0, ref edge0, ref t1, ref edge1)
            || !Edge(dx, _high - x0, 1, ref t0, ref edge0, ref t1, ref edge1)
            || !Edge(-dy, y0 - _low, 2, ref t0, ref edge0, ref t1, ref edge1)
            || !Edge(dy, _high - y0, 3, ref t0, ref edge0, ref t1, ref edge1))
        {
            return false;
        }

        return t0 < t1;

        static bool Edge(double p, double q, int edge, ref double t0, ref int edge0, ref double t1, ref int edge1)
        {
            if (p == 0)
            {
                return q >= 0;
            }

            var r = q / p;
            if (p < 0)
            {
                if (r > t1)
                {
                    return false;
                }

                if (r > t0)
                {
                    t0 = r;
                    edge0 = edge;
                }
            }
            else
            {
                if (r < t0)
                {
                    return false;
                }

                if (r < t1)
                {
                    t1 = r;
                    edge1 = edge;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// The point where the segment meets a box edge, computed from the endpoints in a canonical order so that two
    /// neighbours sharing the segment get the very same point, with the edge's coordinate exact.
    /// </summary>
    private (double X, double Y) Cut(double px, double py, double qx, double qy, double t, int edge)
    {
        if (edge < 0)
        {
            return (px + ((qx - px) * t), py + ((qy - py) * t));
        }

        var (ax, ay, bx, by) = px < qx || (px == qx && py < qy) ? (px, py, qx, qy) : (qx, qy, px, py);
        var limit = edge is 0 or 2 ? _low : _high;
        return edge < 2
            ? (limit, ay + ((by - ay) * ((limit - ax) / (bx - ax))))
            : (ax + ((bx - ax) * ((limit - ay) / (by - ay))), limit);
    }

    private int FirstOutside(int n)
    {
        for (var i = 0; i < n; i++)
        {
            if (!IsInside(_input[2 * i], _input[2 * i + 1]))
            {
                return i;
            }
        }

        return -1;
    }

    private static double SignedArea(double[] xy, int n)
    {
        var area2 = 0.0;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            area2 += (xy[2 * j] * xy[(2 * i) + 1]) - (xy[2 * i] * xy[(2 * j) + 1]);
        }

        return area2;
    }

    private static void ReverseRing(double[] xy, int n)
    {
        for (int i = 0, j = n - 1; i < j; i++, j--)
        {
            (xy[2 * i], xy[2 * j]) = (xy[2 * j], xy[2 * i]);
            (xy[(2 * i) + 1], xy[(2 * j) + 1]) = (xy[(2 * j) + 1], xy[(2 * i) + 1]);
        }
    }

    private bool RingContains((int Start, int Count, bool Exterior) ring, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = ring.Count - 1; i < ring.Count; j = i++)
        {
            double xi = _ringXY[2 * (ring.Start + i)], yi = _ringXY[(2 * (ring.Start + i)) + 1];
            double xj = _ringXY[2 * (ring.Start + j)], yj = _ringXY[(2 * (ring.Start + j)) + 1];
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private int ClipWithOverlay(Geometry polygonal, GeometryCommands output)
    {
        Geometry clipped;
        try
        {
            clipped = OverlayNG.Overlay(polygonal, _clipBox, NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection, _grid);
        }
        catch (TopologyException)
        {
            // Snap-rounding failed (very rare; an invalid input, e.g. a layer served as published): repair the input,
            // overlay in floating precision, and quantise after.
            try
            {
                clipped = OverlayNGRobust.Overlay(NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(polygonal), _clipBox, NetTopologySuite.Operation.Overlay.SpatialFunction.Intersection);
            }
            catch (TopologyException)
            {
                return 0;
            }
        }

        var rings = 0;
        for (var p = 0; p < clipped.NumGeometries; p++)
        {
            if (clipped.GetGeometryN(p) is not Polygon part || part.IsEmpty)
            {
                continue;
            }

            var count = Load(part.ExteriorRing.CoordinateSequence, ref _clipA);
            if (!Quantise(_clipA.AsSpan(0, 2 * count), exterior: true, output))
            {
                continue;
            }

            rings++;
            for (var h = 0; h < part.NumInteriorRings; h++)
            {
                count = Load(part.GetInteriorRingN(h).CoordinateSequence, ref _clipA);
                if (Quantise(_clipA.AsSpan(0, 2 * count), exterior: false, output))
                {
                    rings++;
                }
            }
        }

        return rings;
    }

    private void RollBack(int firstRing)
    {
        if (firstRing < _keptRings.Count)
        {
            _keptCount = _keptRings[firstRing].Start;
            _keptRings.RemoveRange(firstRing, _keptRings.Count - firstRing);
        }
    }

    /// <summary>
    /// Rounding to the integer grid can make edges cross or touch (about 0.5% of features at z5-z8, 0.02% at z12 on
    /// Peru); such a polygon goes to the snap-rounding overlay instead. The rings from <paramref name="firstRing"/> on
    /// are valid when no two edges of a ring meet other than consecutive ones at their shared vertex, and edges of two
    /// rings neither cross nor overlap along a segment (touching at points is valid, as in OGC). Exact in integers;
    /// edges are paired within the cells of a grid over the tile (brute force for small polygons). This replaced
    /// NTS IsValidOp, which took more than half of the clipping time.
    /// </summary>
    private bool IsValid(int firstRing)
    {
        var edges = 0;
        for (var r = firstRing; r < _keptRings.Count; r++)
        {
            edges += _keptRings[r].Count;
        }

        Grow(ref _edges, edges);
        var e = 0;
        int minX = int.MaxValue, minY = int.MaxValue, maxX = int.MinValue, maxY = int.MinValue;
        long length = 0;
        for (var r = firstRing; r < _keptRings.Count; r++)
        {
            var (start, count, _) = _keptRings[r];
            for (var i = 0; i < count; i++)
            {
                var j = i + 1 == count ? 0 : i + 1;
                var edge = new EdgeRecord(
                    _keptXY[2 * (start + i)], _keptXY[(2 * (start + i)) + 1], _keptXY[2 * (start + j)], _keptXY[(2 * (start + j)) + 1], r, i, count);
                _edges[e++] = edge;
                minX = Math.Min(minX, edge.X0);
                maxX = Math.Max(maxX, edge.X0);
                minY = Math.Min(minY, edge.Y0);
                maxY = Math.Max(maxY, edge.Y0);
                length += Math.Abs(edge.X1 - edge.X0) + Math.Abs(edge.Y1 - edge.Y0);
            }
        }

        if (edges <= BruteForceEdges)
        {
            for (var a = 0; a < edges; a++)
            {
                for (var b = a + 1; b < edges; b++)
                {
                    if (EdgesMeet(in _edges[a], in _edges[b]))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        // A grid over the polygon's box with cells about twice the mean edge length, so that an edge covers few
        // cells and a cell holds few edges (the rings are curves: cells sized by their count would each hold many).
        var cellSize = Math.Max(Math.Max(2.0 * length / edges, Math.Max(maxX - minX, maxY - minY) / (double)MaxCellsPerSide), 1);
        var columns = (int)((maxX - minX) / cellSize) + 1;
        var rows = (int)((maxY - minY) / cellSize) + 1;
        var cells = columns * rows;
        Grow(ref _cellStart, cells + 1);
        Array.Clear(_cellStart, 0, cells + 1);
        for (var pass = 0; pass < 2; pass++)
        {
            for (var a = 0; a < edges; a++)
            {
                ref readonly var edge = ref _edges[a];
                int c0 = Cell(Math.Min(edge.X0, edge.X1), minX), c1 = Cell(Math.Max(edge.X0, edge.X1), minX);
                int r0 = Cell(Math.Min(edge.Y0, edge.Y1), minY), r1 = Cell(Math.Max(edge.Y0, edge.Y1), minY);
                for (var row = r0; row <= r1; row++)
                {
                    for (var column = c0; column <= c1; column++)
                    {
                        var cell = (row * columns) + column;
                        if (pass == 0)
                        {
                            _cellStart[cell + 1]++;
                        }
                        else
                        {
                            _cellEdges[_cellStart[cell]++] = a;
                        }
                    }
                }
            }

            if (pass == 0)
            {
                for (var c = 0; c < cells; c++)
                {
                    _cellStart[c + 1] += _cellStart[c];
                }

                Grow(ref _cellEdges, _cellStart[cells]);
            }
        }

        // The fill pass moved each cell's start to the next cell's start.
        for (var c = cells; c > 0; c--)
        {
            _cellStart[c] = _cellStart[c - 1];
        }

        _cellStart[0] = 0;
        for (var c = 0; c < cells; c++)
        {
            for (var i = _cellStart[c]; i < _cellStart[c + 1]; i++)
            {
                for (var j = i + 1; j < _cellStart[c + 1]; j++)
                {
                    if (EdgesMeet(in _edges[_cellEdges[i]], in _edges[_cellEdges[j]]))
                    {
                        return false;
                    }
                }
            }
        }

        return true;

        int Cell(int v, int min) => (int)((v - min) / cellSize);
    }

    /// <summary>One edge of a quantised ring: its endpoints, ring, index in the ring and the ring's size.</summary>
    private readonly record struct EdgeRecord(int X0, int Y0, int X1, int Y1, int Ring, int Index, int RingCount);

    private static bool EdgesMeet(in EdgeRecord a, in EdgeRecord b)
    {
        if (a.Ring == b.Ring && (b.Index == (a.Index + 1) % a.RingCount || a.Index == (b.Index + 1) % a.RingCount))
        {
            return false;
        }

        int ax = a.X0, ay = a.Y0, bx = a.X1, by = a.Y1, cx = b.X0, cy = b.Y0, dx = b.X1, dy = b.Y1;
        if (Math.Max(ax, bx) < Math.Min(cx, dx) || Math.Max(cx, dx) < Math.Min(ax, bx)
            || Math.Max(ay, by) < Math.Min(cy, dy) || Math.Max(cy, dy) < Math.Min(ay, by))
        {
            return false;
        }

        var d1 = Orientation(cx, cy, dx, dy, ax, ay);
        var d2 = Orientation(cx, cy, dx, dy, bx, by);
        var d3 = Orientation(ax, ay, bx, by, cx, cy);
        var d4 = Orientation(ax, ay, bx, by, dx, dy);
        if (d1 * d2 < 0 && d3 * d4 < 0)
        {
            return true;
        }

        if (a.Ring != b.Ring)
        {
            // Two rings may touch at points (a hole at its shell, two parts of a unit), not along a segment.
            return d1 == 0 && d2 == 0 && CollinearOverlap(ax, ay, bx, by, cx, cy, dx, dy);
        }

        // Within a ring any contact is a self-touch: an endpoint on the other segment (the boxes overlap, checked above).
        return (d1 == 0 && Within(cx, cy, dx, dy, ax, ay)) || (d2 == 0 && Within(cx, cy, dx, dy, bx, by))
            || (d3 == 0 && Within(ax, ay, bx, by, cx, cy)) || (d4 == 0 && Within(ax, ay, bx, by, dx, dy));
    }

    /// <summary>Collinear segments sharing more than a point.</summary>
    private static bool CollinearOverlap(int ax, int ay, int bx, int by, int cx, int cy, int dx, int dy)
    {
        // Project on the axis where the segments are longest.
        var useX = Math.Abs(bx - ax) + Math.Abs(dx - cx) >= Math.Abs(by - ay) + Math.Abs(dy - cy);
        var (a0, a1) = useX ? (Math.Min(ax, bx), Math.Max(ax, bx)) : (Math.Min(ay, by), Math.Max(ay, by));
        var (c0, c1) = useX ? (Math.Min(cx, dx), Math.Max(cx, dx)) : (Math.Min(cy, dy), Math.Max(cy, dy));
        return Math.Min(a1, c1) > Math.Max(a0, c0);
    }

    private static int Orientation(int ax, int ay, int bx, int by, int px, int py) =>
        Math.Sign(((long)(bx - ax) * (py - ay)) - ((long)(by - ay) * (px - ax)));

    private static bool Within(int ax, int ay, int bx, int by, int px, int py) =>
        px >= Math.Min(ax, bx) && px <= Math.Max(ax, bx) && py >= Math.Min(ay, by) && py <= Math.Max(ay, by);

    /// <summary>Loads a ring (closing point dropped) into tile coordinates in <paramref name="target"/>; returns its point count.</summary>
    private int Load(CoordinateSequence sequence, ref double[] target)
    {
        var n = sequence.Count - 1;
        Grow(ref target, n * 2);
        for (var i = 0; i < n; i++)
        {
            target[2 * i] = (sequence.GetX(i) - _west) * _scale;
            target[2 * i + 1] = (_north - sequence.GetY(i)) * _scale;
        }

        return n;
    }

    private bool IsInside(double x, double y) => x >= _low && x <= _high && y >= _low && y <= _high;

    private bool ContainsTileCentre(int n)
    {
        var cx = (_low + _high) / 2;
        var cy = cx;
        var inside = false;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            double xi = _input[2 * i], yi = _input[2 * i + 1], xj = _input[2 * j], yj = _input[2 * j + 1];
            if ((yi > cy) != (yj > cy) && cx < (xj - xi) * (cy - yi) / (yj - yi) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private int BoxRing(double[] target)
    {
        target[0] = _low;
        target[1] = _low;
        target[2] = _high;
        target[3] = _low;
        target[4] = _high;
        target[5] = _high;
        target[6] = _low;
        target[7] = _high;
        return 4;
    }

    /// <summary>Rounds, cleans and orients a ring, then appends it to the commands.</summary>
    private bool Quantise(ReadOnlySpan<double> points, bool exterior, GeometryCommands output)
    {
        var n = points.Length / 2;
        Grow(ref _ring, n * 2);
        var count = 0;
        for (var i = 0; i < n; i++)
        {
            var x = (int)Math.Round(points[2 * i]);
            var y = (int)Math.Round(points[2 * i + 1]);
            if (count > 0 && _ring[2 * count - 2] == x && _ring[2 * count - 1] == y)
            {
                continue;
            }

            while (count >= 2 && Collinear(_ring[2 * count - 4], _ring[2 * count - 3], _ring[2 * count - 2], _ring[2 * count - 1], x, y))
            {
                count--;
            }

            if (count > 0 && _ring[2 * count - 2] == x && _ring[2 * count - 1] == y)
            {
                continue;
            }

            _ring[2 * count] = x;
            _ring[2 * count + 1] = y;
            count++;
        }

        // The ring wraps around: clean the seam.
        var first = 0;
        var changed = true;
        while (changed && count - first >= 3)
        {
            changed = false;
            var last = count - 1;
            if (_ring[2 * last] == _ring[2 * first] && _ring[2 * last + 1] == _ring[2 * first + 1])
            {
                count--;
                changed = true;
                continue;
            }

            if (Collinear(_ring[2 * last - 2], _ring[2 * last - 1], _ring[2 * last], _ring[2 * last + 1], _ring[2 * first], _ring[2 * first + 1]))
            {
                count--;
                changed = true;
                continue;
            }

            if (Collinear(_ring[2 * last], _ring[2 * last + 1], _ring[2 * first], _ring[2 * first + 1], _ring[2 * first + 2], _ring[2 * first + 3]))
            {
                first++;
                changed = true;
            }
        }

        var points2 = _ring.AsSpan(2 * first, 2 * (count - first));
        if (points2.Length < 6)
        {
            return false;
        }

        long area2 = 0;
        var m = points2.Length / 2;
        for (int i = 0, j = m - 1; i < m; j = i++)
        {
            area2 += (long)points2[2 * j] * points2[2 * i + 1] - (long)points2[2 * i] * points2[2 * j + 1];
        }

        if (area2 == 0)
        {
            return false;
        }

        if (area2 > 0 != exterior)
        {
            Reverse(points2);
        }

        Grow(ref _keptXY, 2 * (_keptCount + m));
        points2.CopyTo(_keptXY.AsSpan(2 * _keptCount));
        _keptRings.Add((_keptCount, m, exterior));
        _keptCount += m;

        output.AddRing(points2);
        return true;
    }

    private static void Reverse(Span<int> xy)
    {
        for (int i = 0, j = xy.Length / 2 - 1; i < j; i++, j--)
        {
            (xy[2 * i], xy[2 * j]) = (xy[2 * j], xy[2 * i]);
            (xy[2 * i + 1], xy[2 * j + 1]) = (xy[2 * j + 1], xy[2 * i + 1]);
        }
    }

    private static bool Collinear(int ax, int ay, int bx, int by, int cx, int cy) =>
        (long)(bx - ax) * (cy - ay) - (long)(by - ay) * (cx - ax) == 0;

    private static void Grow<T>(ref T[] array, int size)
    {
        if (array.Length < size)
        {
            Array.Resize(ref array, Math.Max(size, array.Length * 2));
        }
    }
}
