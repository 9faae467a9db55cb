using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.HPRtree;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Index;

/// <summary>
/// Point-in-district lookup over a polygonal coverage (the cleaned districts): which district contains a lon/lat
/// point, exactly, in about the time of a few memory reads.
/// </summary>
/// <remarks>
/// <para><b>Predicate.</b> A point p belongs to district k when the point p' = p + (-ε², ε) (ε infinitesimal: a
/// symbolic perturbation up, then left) lies inside k, i.e. when a ray from p' to +x crosses k's boundary an odd
/// number of times. Every ring of every part counts, so holes are outside and all parts of a multipolygon are inside.
/// This is a half-open rule in the spirit of S2's <c>S2ContainsPointQuery</c> (semi-open model): on a coverage whose
/// neighbours share their borders exactly, p' lies in at most one district, so a point exactly on a shared edge or
/// vertex gets exactly one district, the one just above it (just left of it on a north-south edge). A point exactly
/// on a border answers <see cref="LookupMatch.Boundary"/>; when p' falls outside every district (a point on the coast
/// or on a lake shore), the district whose border contains p answers, so a covered point always gets a district.
/// Orientations are exact (<see cref="ExactOrientation"/>), so "exactly on a border" means exactly.</para>
/// <para><b>Index.</b> District envelopes go into an NTS <see cref="HPRtree{T}"/> (candidates for labelling and for
/// the nearest search). On top of it, an adaptive grid over the coverage's box: a uniform top grid whose cells are
/// split into quadrants while they hold more than <see cref="MaxLeafEdges"/> edges (as S2's <c>S2ShapeIndex</c>
/// cells hold short edge lists). A leaf stores the districts containing its centre (exactly, labelled at build) and
/// the edges touching it, each with a bit mask of the leaf's districts it bounds. The edges and their districts come
/// from the coverage's <see cref="CoverageTopology"/>: each segment of each chain once, with the units on its two
/// sides (an edge shared by two districts is stored once, with two bits); a layer without topology (served as
/// published) gives each ring segment of each district as an edge of its own. A lookup walks from the leaf centre to the point and toggles the mask of every edge
/// the (perturbed) segment crosses; the lowest bit left set is the district. Leaves without edges (most of a
/// district's interior, and the sea) answer without any geometry. Everything lives in flat arrays; a lookup
/// allocates nothing.</para>
/// <para><b>Memory layout.</b> A lookup is bound by memory latency (a few dependent reads at random over tens of
/// megabytes), so the index is laid out for few bytes per lookup: a cell is one int, and a leaf with edges is one
/// contiguous run of shorts (header, districts, then each edge as four 16-bit fixed-point coordinates on a 2^12
/// grid over the leaf plus a 16-bit district mask: 10 bytes instead of 40 for doubles and a 64-bit mask). The
/// fixed-point orientation is a filter in the manner of the floating-point filters of exact geometric predicates
/// (Shewchuk 1997; CGAL's filtered kernels): integer orientations on the rounded coordinates, certified by a
/// conservative error bound on the rounding; an orientation within the bound of zero (a point within a few units of
/// an edge's line, a vertex) and an edge reaching beyond the 16-bit range are decided again on the edge's original
/// doubles with <see cref="ExactOrientation"/>, so answers are those of the exact predicate. The cost: at most 16
/// districts may meet within a cell of the deepest level (the build throws beyond).</para>
/// <para><b>Nearest.</b> Outside every district, the nearest district boundary within a given distance: R-tree
/// candidates by the distance's box, point-to-segment distance in the point's <see cref="LocalFrame"/> (metres) to
/// find the closest point, then the geodesic distance to it
/// (<see cref="Geodesic.Inverse"/>), compared with the limit (a district exactly at the limit is found). Of districts
/// at exactly the same distance, the lowest index answers, whatever order the R-tree returns them in. This path
/// (rare) allocates the R-tree query's list.</para>
/// <para>Thread safety: immutable once built; any number of threads may look up concurrently.</para>
/// </remarks>
public sealed class DistrictLocator
{
    /// <summary>Cells are split while they hold more edges than this (and are shallower than <see cref="MaxDepth"/>).</summary>
    public const int MaxLeafEdges = 8;

    /// <summary>Quadrant levels below a top cell, except to get under 16 districts per leaf.</summary>
    public const int MaxDepth = 10;

    /// <summary>Top grid cells per distinct edge: a fine top grid keeps the quadrant descent (one dependent memory
    /// read per level) short, and answers most lookups from a cell without edges, in one memory read (measured on
    /// 100,000 districts: 8 cells per edge beat 2 and 4).</summary>
    public const double TopCellsPerEdge = 8.0;

    private const int HardMaxDepth = 40;

    // A leaf's districts are the bits of a 16-bit mask.
    private const int MaxLeafDistricts = 16;

    // Leaf edges are 16-bit integers on a grid of 2^12 x 2^12 units over their leaf.
    private const int FixedPointBits = 12;

    // Fixed-point endpoints fit a short (within about 8 leaf sides of the leaf's corner); an edge reaching farther is
    // kept in doubles only.
    private const double FixedPointLimit = short.MaxValue;

    // Marks, in place of an edge's first x, an edge that reaches beyond FixedPointLimit.
    private const short FarEdge = short.MinValue;

    // A leaf with edges, in shorts: a header (edge count, district count, centre mask, first edge id as two shorts),
    // its districts (two shorts each), then its edges (four fixed-point coordinates and a district mask each).
    private const int LeafHeaderShorts = 5;
    private const int DistrictShorts = 2;
    private const int EdgeShorts = 5;
    private const int MaxLeafEdgeEntries = short.MaxValue;

    // Top grid.
    private readonly double _gridMinX;
    private readonly double _gridMinY;
    private readonly double _gridMaxX;
    private readonly double _gridMaxY;
    private readonly double _cellWidth;
    private readonly double _cellHeight;
    private readonly double _inverseCellWidth;
    private readonly double _inverseCellHeight;
    private readonly int _columns;
    private readonly int _rows;

    // Fixed-point units per degree of a leaf at each depth (2^12 per leaf side).
    private readonly double[] _fixedScaleX;
    private readonly double[] _fixedScaleY;

    // Cells (top cells first, row by row, then quadrant blocks of four), one int each so that the top grid and a
    // quadrant block take few cache lines: ≥ 0 an inner cell's first child; otherwise ~payload, where an even payload
    // is a leaf without edges ((lowest district containing it + 1) << 1) and an odd one the offset of a leaf with
    // edges in _leaves (offset << 1 | 1).
    private readonly int[] _nodes;

    // Leaves with edges, each one contiguous run of shorts (header, districts, edges, 10 bytes an edge): a lookup
    // reads one or two cache lines, and the whole store is small enough to stay mostly in the last-level cache.
    private readonly short[] _leaves;

    // For every leaf edge, in leaf order: its distinct edge, whose double coordinates decide when the fixed-point
    // filter cannot (read only then).
    private readonly int[] _leafEdgeIds;
    private readonly EdgeCoordinates[] _edges;

    // Each district's own ring segments (for the nearest search), and the envelope index.
    private readonly int[] _segmentStart;
    private readonly double[] _segmentAx;
    private readonly double[] _segmentAy;
    private readonly double[] _segmentBx;
    private readonly double[] _segmentBy;
    private readonly HPRtree<int> _envelopes;

    private DistrictLocator(Builder builder)
    {
        _gridMinX = builder.GridMinX;
        _gridMinY = builder.GridMinY;
        _gridMaxX = builder.GridMaxX;
        _gridMaxY = builder.GridMaxY;
        _cellWidth = builder.CellWidth;
        _cellHeight = builder.CellHeight;
        _inverseCellWidth = 1 / builder.CellWidth;
        _inverseCellHeight = 1 / builder.CellHeight;
        _columns = builder.Columns;
        _rows = builder.Rows;
        _fixedScaleX = builder.FixedScaleX;
        _fixedScaleY = builder.FixedScaleY;
        _nodes = [.. builder.Nodes];
        _leaves = [.. builder.Leaves];
        _leafEdgeIds = [.. builder.LeafEdgeIds];
        _edges = builder.EdgeCoordinates;
        _segmentStart = builder.Segments.Start;
        _segmentAx = builder.Segments.Ax;
        _segmentAy = builder.Segments.Ay;
        _segmentBx = builder.Segments.Bx;
        _segmentBy = builder.Segments.By;
        _envelopes = builder.Envelopes;
        DistrictCount = builder.Segments.Start.Length - 1;
        EdgeCount = builder.EdgeCount;
    }

    /// <summary>The index from arrays a built one gave (<see cref="ToArrays"/>), without building it again.</summary>
    private DistrictLocator(LocatorArrays arrays)
    {
        (_gridMinX, _gridMinY, _gridMaxX, _gridMaxY) = (arrays.GridMinX, arrays.GridMinY, arrays.GridMaxX, arrays.GridMaxY);
        (_cellWidth, _cellHeight, _columns, _rows) = (arrays.CellWidth, arrays.CellHeight, arrays.Columns, arrays.Rows);
        _inverseCellWidth = 1 / _cellWidth;
        _inverseCellHeight = 1 / _cellHeight;
        EdgeCount = arrays.EdgeCount;
        (_fixedScaleX, _fixedScaleY, _nodes, _leaves, _leafEdgeIds) = (arrays.FixedScaleX, arrays.FixedScaleY, arrays.Nodes, arrays.Leaves, arrays.LeafEdgeIds);
        _edges = MemoryMarshal.Cast<double, EdgeCoordinates>(arrays.Edges).ToArray();
        var segments = new SegmentTable(arrays.SegmentStart, arrays.SegmentAx, arrays.SegmentAy, arrays.SegmentBx, arrays.SegmentBy);
        (_segmentStart, _segmentAx, _segmentAy, _segmentBx, _segmentBy) = (segments.Start, segments.Ax, segments.Ay, segments.Bx, segments.By);
        _envelopes = Envelopes(segments, out _);
        DistrictCount = _segmentStart.Length - 1;
    }

    /// <summary>Districts indexed (the indexes answered are the topology's units, or positions in the list of districts given).</summary>
    public int DistrictCount { get; }

    /// <summary>Border edges indexed: with a topology a shared edge counts once; without, every ring segment counts.</summary>
    public int EdgeCount { get; }

    /// <summary>Grid cells, inner and leaf.</summary>
    public int NodeCount => _nodes.Length;

    /// <summary>Edge entries over all leaves (an edge is repeated in every leaf it touches).</summary>
    public int LeafEdgeCount => _leafEdgeIds.Length;

    /// <summary>
    /// Builds the index over a coverage's topology (the served districts are its units): its chains' segments are the
    /// edges, each stored once with the units on its two sides.
    /// </summary>
    public static DistrictLocator Build(CoverageTopology topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return new DistrictLocator(Builder.FromTopology(topology));
    }

    /// <summary>
    /// Builds the index over districts that need not form a coverage (a layer served as published: Polygon or
    /// MultiPolygon, lon/lat): every ring segment of every district is an edge of its own. Answers follow the same
    /// predicate; where districts overlap, the lowest index among those containing the point answers.
    /// </summary>
    public static DistrictLocator Build(IReadOnlyList<Geometry> districts)
    {
        ArgumentNullException.ThrowIfNull(districts);
        return new DistrictLocator(Builder.FromGeometries(districts));
    }

    /// <summary>The built index's arrays, as they are in memory (a snapshot file stores them; <see cref="FromArrays"/> takes them back).</summary>
    internal LocatorArrays ToArrays() => new(
        _gridMinX, _gridMinY, _gridMaxX, _gridMaxY, _cellWidth, _cellHeight, _columns, _rows, EdgeCount,
        _fixedScaleX, _fixedScaleY, _nodes, _leaves, _leafEdgeIds, MemoryMarshal.Cast<EdgeCoordinates, double>(_edges).ToArray(),
        _segmentStart, _segmentAx, _segmentAy, _segmentBx, _segmentBy);

    /// <summary>
    /// The index whose arrays <see cref="ToArrays"/> gave; the envelope R-tree of the nearest search is rebuilt from the
    /// segments (milliseconds). The arrays' sizes are checked against each other; their contents are trusted (a
    /// snapshot file checksums them).
    /// </summary>
    /// <exception cref="InvalidDataException">The arrays do not agree in size.</exception>
    internal static DistrictLocator FromArrays(LocatorArrays arrays)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        var segmentCount = arrays.SegmentAx.Length;
        var valid = arrays.Columns >= 1 && arrays.Rows >= 1 && arrays.SegmentStart.Length >= 1
            && arrays.FixedScaleX.Length == arrays.FixedScaleY.Length && arrays.Edges.Length % 4 == 0
            && (long)arrays.Columns * arrays.Rows <= arrays.Nodes.Length
            && arrays.SegmentAy.Length == segmentCount && arrays.SegmentBx.Length == segmentCount && arrays.SegmentBy.Length == segmentCount
            && arrays.SegmentStart[0] == 0 && arrays.SegmentStart[^1] == segmentCount;
        return valid ? new DistrictLocator(arrays) : throw new InvalidDataException("the lookup index's arrays do not agree in size");
    }

    /// <summary>Each district's envelope in an R-tree, and the box around them all (null when there are no segments).</summary>
    private static HPRtree<int> Envelopes(SegmentTable segments, out Envelope box)
    {
        var tree = new HPRtree<int>();
        box = new Envelope();
        for (var k = 0; k + 1 < segments.Start.Length; k++)
        {
            var envelope = new Envelope();
            for (var s = segments.Start[k]; s < segments.Start[k + 1]; s++)
            {
                envelope.ExpandToInclude(segments.Ax[s], segments.Ay[s]);
                envelope.ExpandToInclude(segments.Bx[s], segments.By[s]);
            }

            if (!envelope.IsNull)
            {
                tree.Insert(envelope, k);
                box.ExpandToInclude(envelope);
            }
        }

        tree.Build();
        return tree;
    }

    /// <summary>
    /// The district containing (<paramref name="lon"/>, <paramref name="lat"/>) by the half-open rule; outside every
    /// district, the nearest one whose boundary lies within <paramref name="maxSnapMetres"/> (geodesic, the limit
    /// included; of districts at exactly the same distance, the lowest index), else
    /// <see cref="DistrictMatch.NotFound"/>. Non-finite coordinates are not found. Allocates nothing unless the nearest
    /// search runs.
    /// </summary>
    public DistrictMatch Locate(double lon, double lat, double maxSnapMetres)
    {
        var match = LocateCovering(lon, lat);
        if (match.Found || !(maxSnapMetres > 0) || !double.IsFinite(lon) || !double.IsFinite(lat))
        {
            return match;
        }

        return Nearest(lon, lat, maxSnapMetres);
    }

    /// <summary>The covering district only (no nearest search); see <see cref="Locate"/>. Never allocates.</summary>
    public DistrictMatch LocateCovering(double x, double y)
    {
        if (!(x >= _gridMinX && x <= _gridMaxX && y >= _gridMinY && y <= _gridMaxY))
        {
            return DistrictMatch.NotFound;
        }

        var column = Math.Min((int)((x - _gridMinX) * _inverseCellWidth), _columns - 1);
        var x0 = _gridMinX + (column * _cellWidth);
        if (x < x0)
        {
            column--;
            x0 = _gridMinX + (column * _cellWidth);
        }

        var x1 = _gridMinX + ((column + 1) * _cellWidth);
        if (x > x1)
        {
            column++;
            x0 = x1;
            x1 = _gridMinX + ((column + 1) * _cellWidth);
        }

        var row = Math.Min((int)((y - _gridMinY) * _inverseCellHeight), _rows - 1);
        var y0 = _gridMinY + (row * _cellHeight);
        if (y < y0)
        {
            row--;
            y0 = _gridMinY + (row * _cellHeight);
        }

        var y1 = _gridMinY + ((row + 1) * _cellHeight);
        if (y > y1)
        {
            row++;
            y0 = y1;
            y1 = _gridMinY + ((row + 1) * _cellHeight);
        }

        var node = _nodes[(row * _columns) + column];
        var depth = 0;
        while (node >= 0)
        {
            var midX = (x0 + x1) * 0.5;
            var midY = (y0 + y1) * 0.5;
            var quadrant = 0;
            if (x >= midX)
            {
                quadrant = 1;
                x0 = midX;
            }
            else
            {
                x1 = midX;
            }

            if (y >= midY)
            {
                quadrant += 2;
                y0 = midY;
            }
            else
            {
                y1 = midY;
            }

            node = _nodes[node + quadrant];
            depth++;
        }

        var payload = ~node;
        if ((payload & 1) == 0)
        {
            var centre = (payload >> 1) - 1;
            return centre >= 0 ? new DistrictMatch(centre, LookupMatch.Inside, 0) : DistrictMatch.NotFound;
        }

        var leaf = payload >> 1;
        var (mask, onBorder) = Walk(leaf, x0, y0, (x0 + x1) * 0.5, (y0 + y1) * 0.5, depth, x, y);
        if (mask != 0)
        {
            return new DistrictMatch(LeafDistrict(leaf, BitOperations.TrailingZeroCount(mask)), onBorder != 0 ? LookupMatch.Boundary : LookupMatch.Inside, 0);
        }

        return onBorder != 0
            ? new DistrictMatch(LeafDistrict(leaf, BitOperations.TrailingZeroCount(onBorder)), LookupMatch.Boundary, 0)
            : DistrictMatch.NotFound;
    }

    private int LeafDistrict(int leaf, int slot)
    {
        var at = leaf + LeafHeaderShorts + (slot * DistrictShorts);
        return (ushort)_leaves[at] | (_leaves[at + 1] << 16);
    }

    /// <summary>Toggles the masks of the leaf edges that the perturbed segment from the centre r to the point p
    /// crosses, and collects the masks of edges that contain the point exactly. Each test runs first on the
    /// fixed-point coordinates (<see cref="FilteredSign"/>); only an edge the filter cannot decide is evaluated again,
    /// exactly, on its doubles.</summary>
    private (uint Mask, uint OnBorder) Walk(int leaf, double x0, double y0, double rx, double ry, int depth, double px, double py)
    {
        var edgeCount = (int)_leaves[leaf];
        var districtCount = (int)_leaves[leaf + 1];
        var mask = (uint)(ushort)_leaves[leaf + 2];
        var firstEdgeId = (ushort)_leaves[leaf + 3] | (_leaves[leaf + 4] << 16);
        var edges = _leaves.AsSpan(leaf + LeafHeaderShorts + (districtCount * DistrictShorts), edgeCount * EdgeShorts);
        double scaleX = _fixedScaleX[depth], scaleY = _fixedScaleY[depth];
        long cx = ToFixed(rx, x0, scaleX), cy = ToFixed(ry, y0, scaleY);
        long qx = ToFixed(px, x0, scaleX), qy = ToFixed(py, y0, scaleY);
        var moves = rx != px || ry != py;
        long minX = Math.Min(cx, qx), maxX = Math.Max(cx, qx), minY = Math.Min(cy, qy), maxY = Math.Max(cy, qy);
        uint onBorder = 0;
        for (var e = 0; e < edgeCount; e++)
        {
            var entry = edges.Slice(e * EdgeShorts, EdgeShorts);
            long ax = entry[0], ay = entry[1], bx = entry[2], by = entry[3];
            var edgeMask = (uint)(ushort)entry[4];
            if (ax == FarEdge)
            {
                ExactEdge(_edges[_leafEdgeIds[firstEdgeId + e]], edgeMask, rx, ry, px, py, ref mask, ref onBorder);
                continue;
            }

            // Rounding is monotone, so an edge outside the segment's box in fixed point is outside it in doubles.
            if ((ax < minX && bx < minX) || (ax > maxX && bx > maxX) || (ay < minY && by < minY) || (ay > maxY && by > maxY))
            {
                continue;
            }

            var pointSide = FilteredSign(ax, ay, bx, by, qx, qy);
            var centreSide = FilteredSign(ax, ay, bx, by, cx, cy);
            if (pointSide == 0 || centreSide == 0)
            {
                ExactEdge(_edges[_leafEdgeIds[firstEdgeId + e]], edgeMask, rx, ry, px, py, ref mask, ref onBorder);
                continue;
            }

            if (centreSide == pointSide || !moves)
            {
                continue;
            }

            var sideA = FilteredSign(cx, cy, qx, qy, ax, ay);
            var sideB = FilteredSign(cx, cy, qx, qy, bx, by);
            if (sideA == 0 || sideB == 0)
            {
                ExactEdge(_edges[_leafEdgeIds[firstEdgeId + e]], edgeMask, rx, ry, px, py, ref mask, ref onBorder);
                continue;
            }

            if (sideA != sideB)
            {
                mask ^= edgeMask;
            }
        }

        return (mask, onBorder);
    }

    /// <summary>One edge of <see cref="Walk"/> on the edge's doubles, with exact orientations and the symbolic
    /// perturbation's tie rules.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ExactEdge(EdgeCoordinates edge, uint edgeMask, double rx, double ry, double px, double py, ref uint mask, ref uint onBorder)
    {
        double eax = edge.Ax, eay = edge.Ay, ebx = edge.Bx, eby = edge.By;
        if ((eax < rx && eax < px && ebx < rx && ebx < px) || (eax > rx && eax > px && ebx > rx && ebx > px)
            || (eay < ry && eay < py && eby < ry && eby < py) || (eay > ry && eay > py && eby > ry && eby > py))
        {
            return;
        }

        var pointSide = ExactOrientation.Sign(eax, eay, ebx, eby, px, py);
        if (pointSide == 0)
        {
            if (px >= Math.Min(eax, ebx) && px <= Math.Max(eax, ebx) && py >= Math.Min(eay, eby) && py <= Math.Max(eay, eby))
            {
                onBorder |= edgeMask;
            }

            pointSide = EdgeTie(eax, eay, ebx, eby);
        }

        if (rx == px && ry == py)
        {
            return;
        }

        var centreSide = ExactOrientation.Sign(eax, eay, ebx, eby, rx, ry);
        if (centreSide == 0)
        {
            centreSide = EdgeTie(eax, eay, ebx, eby);
        }

        if (centreSide != pointSide && SegmentSide(rx, ry, px, py, eax, eay) != SegmentSide(rx, ry, px, py, ebx, eby))
        {
            mask ^= edgeMask;
        }
    }

    /// <summary>A coordinate in a leaf's fixed-point units: truncated, so within 1 unit (plus the two roundings of
    /// the double arithmetic, below 2^-36 for values under 2^15) of the exact affine image (v - origin) · scale, and
    /// monotone in v. The build computes edge endpoints with this same function.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ToFixed(double value, double origin, double scale) => (long)((value - origin) * scale);

    /// <summary>The sign of the orientation of c relative to a→b from fixed-point coordinates, or 0 when it cannot be
    /// certified. The exact affine images of the doubles (a positive scale per axis) have the same orientation sign
    /// as the doubles; each fixed-point coordinate is within 1 + 2^-36 units of its image, so each difference within
    /// δ = 2 + 2^-35, and the determinant (b-a)×(c-a) within δ·(|ux|+|uy|+|vx|+|vy|) + 6δ² of the images' (u, v the
    /// fixed-point differences): below the bound used here. Beyond it the sign is the exact one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int FilteredSign(long ax, long ay, long bx, long by, long cx, long cy)
    {
        long ux = bx - ax, uy = by - ay, vx = cx - ax, vy = cy - ay;
        var determinant = (ux * vy) - (uy * vx);
        var bound = (3 * (Math.Abs(ux) + Math.Abs(uy) + Math.Abs(vx) + Math.Abs(vy))) + 32;
        return determinant > bound ? 1 : determinant < -bound ? -1 : 0;
    }

    /// <summary>Side of q + (-ε², ε) relative to the line a→b when q is exactly on it: the sign of
    /// (b-a) × (-ε², ε) = (bx-ax)·ε + (by-ay)·ε².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int EdgeTie(double ax, double ay, double bx, double by) =>
        bx > ax ? 1 : bx < ax ? -1 : by > ay ? 1 : -1;

    /// <summary>Side of point a relative to the perturbed segment r'→p' (both moved by (-ε², ε)): exact orientation,
    /// and on a tie the sign of -(p-r) × (-ε², ε).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SegmentSide(double rx, double ry, double px, double py, double ax, double ay)
    {
        var side = ExactOrientation.Sign(rx, ry, px, py, ax, ay);
        return side != 0 ? side : px > rx ? -1 : px < rx ? 1 : py > ry ? -1 : 1;
    }

    /// <summary>Whether the perturbed point q + (-ε², ε) lies inside district k (ray to +x, crossings counted).</summary>
    // Runs at start-up, where tier-0 code would make the build several times slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool RayInside(SegmentTable segments, int district, double qx, double qy)
    {
        var inside = false;
        for (var s = segments.Start[district]; s < segments.Start[district + 1]; s++)
        {
            double ax = segments.Ax[s], ay = segments.Ay[s], bx = segments.Bx[s], by = segments.By[s];
            if (ay == by)
            {
                continue;
            }

            if (ay > by)
            {
                (ax, ay, bx, by) = (bx, by, ax, ay);
            }

            if (!(ay <= qy && qy < by))
            {
                continue;
            }

            var side = ExactOrientation.Sign(ax, ay, bx, by, qx, qy);
            if (side == 0)
            {
                side = EdgeTie(ax, ay, bx, by);
            }

            if (side > 0)
            {
                inside = !inside;
            }
        }

        return inside;
    }

    private DistrictMatch Nearest(double lon, double lat, double maxSnapMetres)
    {
        // Near a pole the frame's longitude scale goes to zero; a floor of 1% keeps the search box finite.
        var frame = new LocalFrame(lon, lat);
        var kx = Math.Max(frame.UnitsPerDegreeLongitude, 0.01 * LocalFrame.MetresPerDegreeLongitudeAtEquator);
        var ky = frame.UnitsPerDegreeLatitude;

        // The box is widened by 2% so that the equirectangular estimate never drops a district the geodesic keeps.
        var reach = maxSnapMetres * 1.02;
        var box = new Envelope(lon - (reach / kx), lon + (reach / kx), lat - (reach / ky), lat + (reach / ky));
        var best = -1;
        var bestSquared = double.PositiveInfinity;
        double bestX = 0, bestY = 0;
        foreach (var district in _envelopes.Query(box))
        {
            for (var s = _segmentStart[district]; s < _segmentStart[district + 1]; s++)
            {
                var ax = (_segmentAx[s] - lon) * kx;
                var ay = (_segmentAy[s] - lat) * ky;
                var dx = ((_segmentBx[s] - lon) * kx) - ax;
                var dy = ((_segmentBy[s] - lat) * ky) - ay;
                var lengthSquared = (dx * dx) + (dy * dy);
                var t = lengthSquared > 0 ? Math.Clamp(-((ax * dx) + (ay * dy)) / lengthSquared, 0, 1) : 0;
                var cx = ax + (t * dx);
                var cy = ay + (t * dy);
                var squared = (cx * cx) + (cy * cy);
                if (squared < bestSquared || (squared == bestSquared && district < best))
                {
                    bestSquared = squared;
                    best = district;
                    bestX = lon + (cx / kx);
                    bestY = lat + (cy / ky);
                }
            }
        }

        if (best < 0)
        {
            return DistrictMatch.NotFound;
        }

        var metres = Geodesic.Inverse(lat, lon, bestY, bestX).DistanceMetres;
        return metres <= maxSnapMetres ? new DistrictMatch(best, LookupMatch.Nearest, metres) : DistrictMatch.NotFound;
    }

    /// <summary>A distinct edge's double coordinates, for the exact evaluation the fixed-point filter defers to.</summary>
    private readonly record struct EdgeCoordinates(double Ax, double Ay, double Bx, double By);

    /// <summary>Each district's ring segments, flat.</summary>
    private sealed record SegmentTable(int[] Start, double[] Ax, double[] Ay, double[] Bx, double[] By);

    /// <summary>An edge of the index and the districts it bounds: <c>DistrictCount</c> entries of the builder's district list from <c>DistrictStart</c>.</summary>
    private readonly record struct IndexedEdge(double Ax, double Ay, double Bx, double By, int DistrictStart, int DistrictCount);

    /// <summary>Build-time state; discarded once the locator has copied its arrays.</summary>
    private sealed class Builder
    {
        private readonly IndexedEdge[] _edges;
        private readonly int[] _edgeDistricts;

        private Builder(SegmentTable segments, IndexedEdge[] edges, int[] edgeDistricts)
        {
            Segments = segments;
            _edges = edges;
            _edgeDistricts = edgeDistricts;
            Envelopes = DistrictLocator.Envelopes(segments, out var box);
            if (box.IsNull)
            {
                box = new Envelope(0, 1, 0, 1);
            }

            // A margin keeps every vertex strictly inside the grid whatever the rounding of the cell bounds.
            var margin = 1e-6 * Math.Max(1, Math.Max(box.Width, box.Height));
            var target = Math.Max(1, (int)(_edges.Length * TopCellsPerEdge));
            var width = box.Width + (2 * margin);
            var height = box.Height + (2 * margin);
            Columns = Math.Clamp((int)Math.Ceiling(Math.Sqrt(target * width / height)), 1, 4096);
            Rows = Math.Clamp((int)Math.Ceiling(target / (double)Columns), 1, 4096);
            GridMinX = box.MinX - margin;
            GridMinY = box.MinY - margin;
            CellWidth = width / Columns;
            CellHeight = height / Rows;
            GridMaxX = GridMinX + (Columns * CellWidth);
            GridMaxY = GridMinY + (Rows * CellHeight);
            FixedScaleX = FixedScales(CellWidth);
            FixedScaleY = FixedScales(CellHeight);
            EdgeCoordinates = [.. _edges.Select(e => new EdgeCoordinates(e.Ax, e.Ay, e.Bx, e.By))];
            BuildTree();
        }

        public SegmentTable Segments { get; }

        public HPRtree<int> Envelopes { get; }

        public int EdgeCount => _edges.Length;

        public double GridMinX { get; }

        public double GridMinY { get; }

        public double GridMaxX { get; }

        public double GridMaxY { get; }

        public double CellWidth { get; }

        public double CellHeight { get; }

        public int Columns { get; }

        public int Rows { get; }

        public double[] FixedScaleX { get; }

        public double[] FixedScaleY { get; }

        public EdgeCoordinates[] EdgeCoordinates { get; }

        public List<int> Nodes { get; } = [];

        public List<short> Leaves { get; } = [];

        public List<int> LeafEdgeIds { get; } = [];

        /// <summary>
        /// Edges from the topology's chains, each segment once with the units on its sides; each district's segments
        /// (for the nearest search and the labelling of cell centres) from its rings, in the order its geometry has.
        /// </summary>
        public static Builder FromTopology(CoverageTopology topology)
        {
            var edges = new List<IndexedEdge>(topology.SegmentCount);
            var edgeDistricts = new List<int>(2 * topology.SegmentCount);
            for (var c = 0; c < topology.ChainCount; c++)
            {
                var (left, right) = (topology.LeftUnit(c), topology.RightUnit(c));
                var first = edgeDistricts.Count;
                if (Math.Min(left, right) >= 0)
                {
                    edgeDistricts.Add(Math.Min(left, right));
                }

                edgeDistricts.Add(Math.Max(left, right));

                var x = topology.ChainX(c);
                var y = topology.ChainY(c);
                for (var i = 0; i + 1 < x.Length; i++)
                {
                    edges.Add(new IndexedEdge(x[i], y[i], x[i + 1], y[i + 1], first, edgeDistricts.Count - first));
                }
            }

            var units = topology.Units;
            var start = new int[topology.UnitCount + 1];
            List<double> ax = [], ay = [], bx = [], by = [];
            var ringX = new List<double>();
            var ringY = new List<double>();
            for (var k = 0; k < topology.UnitCount; k++)
            {
                start[k] = ax.Count;
                for (var r = units.RingStart(units.PolygonStart(k)); r < units.RingStart(units.PolygonStart(k + 1)); r++)
                {
                    topology.RingCoordinates(units.Ring(r), ringX, ringY);
                    for (var i = 0; i < ringX.Count; i++)
                    {
                        var j = (i + 1) % ringX.Count;
                        ax.Add(ringX[i]);
                        ay.Add(ringY[i]);
                        bx.Add(ringX[j]);
                        by.Add(ringY[j]);
                    }
                }
            }

            start[topology.UnitCount] = ax.Count;
            return new Builder(new SegmentTable(start, [.. ax], [.. ay], [.. bx], [.. by]), [.. edges], [.. edgeDistricts]);
        }

        /// <summary>Every ring segment of every district as an edge of its own, bounding that district only.</summary>
        public static Builder FromGeometries(IReadOnlyList<Geometry> districts)
        {
            var start = new int[districts.Count + 1];
            List<double> ax = [], ay = [], bx = [], by = [];
            for (var k = 0; k < districts.Count; k++)
            {
                start[k] = ax.Count;
                for (var p = 0; p < districts[k].NumGeometries; p++)
                {
                    // A type test without a pattern variable and a cast after it: with `polygon` declared in the
                    // condition, Stryker's `||` to `&&` mutant leaves it unassigned, and its safe mode then drops the
                    // whole method from mutation testing.
                    var part = districts[k].GetGeometryN(p);
                    if (part is not Polygon || part.IsEmpty)
                    {
                        continue;
                    }

                    var polygon = (Polygon)part;
                    foreach (var ring in polygon.InteriorRings.Prepend(polygon.ExteriorRing))
                    {
                        var sequence = ring.CoordinateSequence;
                        for (var i = 0; i + 1 < sequence.Count; i++)
                        {
                            double x0 = sequence.GetX(i), y0 = sequence.GetY(i), x1 = sequence.GetX(i + 1), y1 = sequence.GetY(i + 1);
                            if (x0 == x1 && y0 == y1)
                            {
                                continue;
                            }

                            ax.Add(x0);
                            ay.Add(y0);
                            bx.Add(x1);
                            by.Add(y1);
                        }
                    }
                }
            }

            start[districts.Count] = ax.Count;
            var edges = new IndexedEdge[ax.Count];
            var edgeDistricts = new int[ax.Count];
            for (var k = 0; k < districts.Count; k++)
            {
                for (var s = start[k]; s < start[k + 1]; s++)
                {
                    edges[s] = new IndexedEdge(ax[s], ay[s], bx[s], by[s], s, 1);
                    edgeDistricts[s] = k;
                }
            }

            return new Builder(new SegmentTable(start, [.. ax], [.. ay], [.. bx], [.. by]), edges, edgeDistricts);
        }

        /// <summary>Fixed-point units per degree for a leaf at each depth: 2^12 over the leaf's side.</summary>
        private static double[] FixedScales(double topCellSide)
        {
            var inverse = 1 / topCellSide;
            return [.. Enumerable.Range(0, HardMaxDepth + 1).Select(depth => Math.ScaleB(inverse, FixedPointBits + depth))];
        }

        // Runs at start-up, where tier-0 code would make the build several times slower.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void BuildTree()
        {
            var cellCount = Columns * Rows;
            var cellEdges = new List<int>[cellCount];
            for (var e = 0; e < _edges.Length; e++)
            {
                var edge = _edges[e];
                var c0 = Math.Clamp((int)Math.Floor((Math.Min(edge.Ax, edge.Bx) - GridMinX) / CellWidth) - 1, 0, Columns - 1);
                var c1 = Math.Clamp((int)Math.Floor((Math.Max(edge.Ax, edge.Bx) - GridMinX) / CellWidth) + 1, 0, Columns - 1);
                var r0 = Math.Clamp((int)Math.Floor((Math.Min(edge.Ay, edge.By) - GridMinY) / CellHeight) - 1, 0, Rows - 1);
                var r1 = Math.Clamp((int)Math.Floor((Math.Max(edge.Ay, edge.By) - GridMinY) / CellHeight) + 1, 0, Rows - 1);
                for (var r = r0; r <= r1; r++)
                {
                    for (var c = c0; c <= c1; c++)
                    {
                        if (Touches(edge, GridMinX + (c * CellWidth), GridMinY + (r * CellHeight), GridMinX + ((c + 1) * CellWidth), GridMinY + ((r + 1) * CellHeight)))
                        {
                            (cellEdges[(r * Columns) + c] ??= []).Add(e);
                        }
                    }
                }
            }

            for (var n = 0; n < cellCount; n++)
            {
                AddNode();
            }

            // A row's first centre is labelled by ray casting over the candidate districts; each next centre by the
            // crossings of the segment from the previous one, which lies in the two cells and so meets only their
            // edges (the top grid has several cells per edge, and most cells none).
            List<int> noEdges = [];
            for (var r = 0; r < Rows; r++)
            {
                List<int> inside = [];
                double previousX = 0;
                List<int> previousEdges = noEdges;
                for (var c = 0; c < Columns; c++)
                {
                    double x0 = GridMinX + (c * CellWidth), x1 = GridMinX + ((c + 1) * CellWidth);
                    double y0 = GridMinY + (r * CellHeight), y1 = GridMinY + ((r + 1) * CellHeight);
                    double cx = (x0 + x1) * 0.5, cy = (y0 + y1) * 0.5;
                    var edges = cellEdges[(r * Columns) + c] ?? noEdges;
                    if (c == 0)
                    {
                        inside = [.. Envelopes.Query(new Envelope(cx, cx, cy, cy)).Where(k => RayInside(Segments, k, cx, cy)).Order()];
                    }
                    else if (edges.Count > 0 || previousEdges.Count > 0)
                    {
                        inside = WalkCentre(inside, previousX, cy, cx, cy, SortedUnion(previousEdges, edges));
                    }

                    Fill((r * Columns) + c, x0, y0, x1, y1, edges, inside, 0);
                    previousX = cx;
                    previousEdges = edges;
                }
            }
        }

        /// <summary>The edges of two cells, each once (an edge counted twice would toggle its districts back).</summary>
        private static List<int> SortedUnion(List<int> first, List<int> second)
        {
            var union = new List<int>(first.Count + second.Count);
            int i = 0, j = 0;
            while (i < first.Count || j < second.Count)
            {
                if (j == second.Count || (i < first.Count && first[i] < second[j]))
                {
                    union.Add(first[i++]);
                }
                else if (i == first.Count || second[j] < first[i])
                {
                    union.Add(second[j++]);
                }
                else
                {
                    union.Add(first[i++]);
                    j++;
                }
            }

            return union;
        }

        private void AddNode() => Nodes.Add(~0);

        /// <summary>Makes node a leaf, or splits it into quadrants, given the edges touching it and the districts
        /// containing its centre.</summary>
        private void Fill(int node, double x0, double y0, double x1, double y1, List<int> edges, List<int> centre, int depth)
        {
            var local = new List<int>(centre);
            foreach (var e in edges)
            {
                for (var d = 0; d < _edges[e].DistrictCount; d++)
                {
                    var district = _edgeDistricts[_edges[e].DistrictStart + d];
                    if (!local.Contains(district))
                    {
                        local.Add(district);
                    }
                }
            }

            var fits = local.Count <= MaxLeafDistricts;
            if (fits && (edges.Count <= MaxLeafEdges || depth >= MaxDepth))
            {
                MakeLeaf(node, x0, y0, depth, edges, centre, local);
                return;
            }

            if (depth >= HardMaxDepth)
            {
                throw new InvalidOperationException($"More than {MaxLeafDistricts} districts meet within a cell of {x1 - x0} degrees around ({x0}, {y0}).");
            }

            var first = Nodes.Count;
            for (var q = 0; q < 4; q++)
            {
                AddNode();
            }

            Nodes[node] = first;
            var midX = (x0 + x1) * 0.5;
            var midY = (y0 + y1) * 0.5;
            for (var q = 0; q < 4; q++)
            {
                double cx0 = (q & 1) == 0 ? x0 : midX, cx1 = (q & 1) == 0 ? midX : x1;
                double cy0 = (q & 2) == 0 ? y0 : midY, cy1 = (q & 2) == 0 ? midY : y1;
                var childEdges = edges.Where(e => Touches(_edges[e], cx0, cy0, cx1, cy1)).ToList();
                var childCentre = WalkCentre(centre, midX, midY, (cx0 + cx1) * 0.5, (cy0 + cy1) * 0.5, edges);
                Fill(first + q, cx0, cy0, cx1, cy1, childEdges, childCentre, depth + 1);
            }
        }

        /// <summary>The districts containing the (perturbed) point p, from those containing r and the crossings of
        /// the segment r→p with the given edges (which include every edge the segment can meet).</summary>
        // Runs at start-up, where tier-0 code would make the build several times slower.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private List<int> WalkCentre(List<int> atR, double rx, double ry, double px, double py, List<int> edges)
        {
            var result = new List<int>(atR);
            foreach (var e in edges)
            {
                var edge = _edges[e];
                var centreSide = ExactOrientation.Sign(edge.Ax, edge.Ay, edge.Bx, edge.By, rx, ry);
                if (centreSide == 0)
                {
                    centreSide = EdgeTie(edge.Ax, edge.Ay, edge.Bx, edge.By);
                }

                var pointSide = ExactOrientation.Sign(edge.Ax, edge.Ay, edge.Bx, edge.By, px, py);
                if (pointSide == 0)
                {
                    pointSide = EdgeTie(edge.Ax, edge.Ay, edge.Bx, edge.By);
                }

                if (centreSide == pointSide || SegmentSide(rx, ry, px, py, edge.Ax, edge.Ay) == SegmentSide(rx, ry, px, py, edge.Bx, edge.By))
                {
                    continue;
                }

                for (var d = 0; d < edge.DistrictCount; d++)
                {
                    var district = _edgeDistricts[edge.DistrictStart + d];
                    if (!result.Remove(district))
                    {
                        result.Add(district);
                    }
                }
            }

            result.Sort();
            return result;
        }

        private void MakeLeaf(int node, double x0, double y0, int depth, List<int> edges, List<int> centre, List<int> local)
        {
            // Lowest district index first, so that the lowest set bit is the lowest index where districts overlap.
            local.Sort();
            if (edges.Count == 0)
            {
                Nodes[node] = ~((centre.Count == 0 ? 0 : centre.Min() + 1) << 1);
                return;
            }

            uint centreMask = 0;
            foreach (var k in centre)
            {
                centreMask |= 1u << local.IndexOf(k);
            }

            if (Leaves.Count >= 1 << 30 || edges.Count > MaxLeafEdgeEntries)
            {
                throw new InvalidOperationException($"The lookup index outgrew its 2^30 leaf entries or {MaxLeafEdgeEntries} edges in one leaf.");
            }

            Nodes[node] = ~((Leaves.Count << 1) | 1);
            Leaves.Add((short)edges.Count);
            Leaves.Add((short)local.Count);
            Leaves.Add((short)centreMask);
            AddInt(LeafEdgeIds.Count);
            foreach (var k in local)
            {
                AddInt(k);
            }

            double scaleX = FixedScaleX[depth], scaleY = FixedScaleY[depth];
            foreach (var e in edges)
            {
                var edge = _edges[e];
                uint mask = 0;
                for (var d = 0; d < edge.DistrictCount; d++)
                {
                    mask |= 1u << local.IndexOf(_edgeDistricts[edge.DistrictStart + d]);
                }

                LeafEdgeIds.Add(e);
                if (FitsFixed(edge.Ax, x0, scaleX) && FitsFixed(edge.Ay, y0, scaleY) && FitsFixed(edge.Bx, x0, scaleX) && FitsFixed(edge.By, y0, scaleY))
                {
                    Leaves.Add((short)ToFixed(edge.Ax, x0, scaleX));
                    Leaves.Add((short)ToFixed(edge.Ay, y0, scaleY));
                    Leaves.Add((short)ToFixed(edge.Bx, x0, scaleX));
                    Leaves.Add((short)ToFixed(edge.By, y0, scaleY));
                }
                else
                {
                    Leaves.AddRange([FarEdge, 0, 0, 0]);
                }

                Leaves.Add((short)mask);
            }
        }

        private void AddInt(int value)
        {
            Leaves.Add((short)value);
            Leaves.Add((short)(value >> 16));
        }

        private static bool FitsFixed(double value, double origin, double scale) => Math.Abs((value - origin) * scale) < FixedPointLimit;

        /// <summary>Conservative: true for every edge that meets the closed cell (and perhaps a few that pass within
        /// a rounding error of it), which is all correctness needs.</summary>
        // Runs at start-up, where tier-0 code would make the build several times slower.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static bool Touches(IndexedEdge edge, double x0, double y0, double x1, double y1)
        {
            var tolerance = 1e-12 * (1 + Math.Max(Math.Max(Math.Abs(x0), Math.Abs(x1)), Math.Max(Math.Abs(y0), Math.Abs(y1))));
            if (Math.Max(edge.Ax, edge.Bx) < x0 - tolerance || Math.Min(edge.Ax, edge.Bx) > x1 + tolerance
                || Math.Max(edge.Ay, edge.By) < y0 - tolerance || Math.Min(edge.Ay, edge.By) > y1 + tolerance)
            {
                return false;
            }

            var ex = edge.Bx - edge.Ax;
            var ey = edge.By - edge.Ay;
            int positive = 0, negative = 0;
            Span<double> xs = [x0, x1, x1, x0];
            Span<double> ys = [y0, y0, y1, y1];
            for (var i = 0; i < 4; i++)
            {
                var dx = xs[i] - edge.Ax;
                var dy = ys[i] - edge.Ay;
                var cross = (ex * dy) - (ey * dx);
                var slack = 1e-9 * (Math.Abs(ex) + Math.Abs(ey)) * (Math.Abs(dx) + Math.Abs(dy));
                if (cross > slack)
                {
                    positive++;
                }
                else if (cross < -slack)
                {
                    negative++;
                }
                else
                {
                    return true;
                }
            }

            return positive > 0 && negative > 0;
        }
    }
}

/// <summary>
/// A built <see cref="DistrictLocator"/>'s arrays and grid, as it holds them (<see cref="DistrictLocator.ToArrays"/>):
/// the edges as four doubles each (ax, ay, bx, by).
/// </summary>
internal sealed record LocatorArrays(
    double GridMinX, double GridMinY, double GridMaxX, double GridMaxY, double CellWidth, double CellHeight, int Columns, int Rows, int EdgeCount,
    double[] FixedScaleX, double[] FixedScaleY, int[] Nodes, short[] Leaves, int[] LeafEdgeIds, double[] Edges,
    int[] SegmentStart, double[] SegmentAx, double[] SegmentAy, double[] SegmentBx, double[] SegmentBy);
