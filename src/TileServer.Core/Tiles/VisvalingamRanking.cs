using TileServer.Core.Coverage;

namespace TileServer.Core.Tiles;

/// <summary>
/// One topology-preserving Visvalingam-Whyatt run over every chain of a coverage topology (Visvalingam and Whyatt
/// 1993, with the topology check of NTS <c>TPVWSimplifier</c>, JTS by Martin Davis): the smallest corner goes first
/// unless its triangle contains or touches another remaining vertex of any chain (found with a
/// <see cref="VertexGrid"/>) or its chain is a closed ring down to two interior vertices; each removed vertex records
/// its area, clamped to be non-decreasing along the removal order, so that a tolerance's vertex set is a prefix of
/// the removals (see <see cref="ChainSimplification"/>). Nodes are never removed.
/// </summary>
/// <remarks>Single-threaded; one instance per run.</remarks>
internal sealed class VisvalingamRanking
{
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly int[] _previous;
    private readonly int[] _next;
    private readonly int[] _chainOf;
    private readonly int[] _interiorLeft;
    private readonly bool[] _closed;
    private readonly double[] _cornerArea;
    private readonly double[] _removalArea;
    private readonly int[] _slotVertex;
    private readonly bool[] _vertexRemoved;
    private readonly double[] _vertexX;
    private readonly double[] _vertexY;
    private VertexGrid _grid;
    private int _live;
    private int _removedSinceGrid;

    /// <summary>Prepares the run over the chains of <paramref name="graph"/>, recording into <paramref name="removalArea"/> (one entry per stored vertex).</summary>
    public VisvalingamRanking(ChainGraph graph, double[] removalArea)
    {
        _x = graph.X;
        _y = graph.Y;
        _removalArea = removalArea;
        var slots = _x.Length;
        var chains = graph.ChainCount;
        _previous = new int[slots];
        _next = new int[slots];
        _chainOf = new int[slots];
        _cornerArea = new double[slots];
        _interiorLeft = new int[chains];
        _closed = new bool[chains];

        // Vertex ids: nodes first (shared by the chains that end there), then every chain's interior vertices.
        _slotVertex = new int[slots];
        var vertexCount = graph.NodeCount + slots - (2 * chains);
        _vertexX = new double[vertexCount];
        _vertexY = new double[vertexCount];
        var interior = graph.NodeCount;
        for (var c = 0; c < chains; c++)
        {
            int first = graph.ChainStart[c], last = graph.ChainStart[c + 1] - 1;
            _interiorLeft[c] = last - first - 1;
            _closed[c] = graph.DartNode[2 * c] == graph.DartNode[(2 * c) + 1];
            for (var s = first; s <= last; s++)
            {
                _previous[s] = s - 1;
                _next[s] = s + 1;
                _chainOf[s] = c;
                _slotVertex[s] = s == first ? graph.DartNode[2 * c] : s == last ? graph.DartNode[(2 * c) + 1] : interior++;
                _vertexX[_slotVertex[s]] = _x[s];
                _vertexY[_slotVertex[s]] = _y[s];
            }

            _previous[first] = -1;
            _next[last] = -1;
        }

        _vertexRemoved = new bool[vertexCount];
        _live = vertexCount;
        _grid = new VertexGrid(_vertexX, _vertexY, Enumerable.Range(0, _live).ToArray());
    }

    /// <summary>
    /// The run, with a bucket queue instead of a binary heap (five times faster on Peru, where the heap's cache
    /// misses over 700,000 corners dominated): buckets of area ratio 4^(1/8), aligned on the largest tolerance,
    /// so that every tolerance a factor 2^(k/8) below it (the zooms' tolerances halve) falls on a bucket boundary
    /// and its state has every corner below it removed, as NTS has; within a bucket the order is last in, first
    /// out, which only changes which of two nearly equal corners goes first.
    /// </summary>
    public void Run(double maxAreaTolerance, double[] milestones, Action<double> reached)
    {
        var removal = _removalArea;
        var milestone = 0;
        var buckets = new List<int>[BucketCount];
        for (var b = 0; b < BucketCount; b++)
        {
            buckets[b] = [];
        }

        var current = BucketCount - 1;
        for (var s = 0; s < _x.Length; s++)
        {
            Update(s);
        }

        var floor = 0.0;
        for (; current >= 0; current--)
        {
            // Every corner up to a milestone's area is gone once the buckets from its own down to this one are
            // done; later removals record more than its area, so its filter stays as it is now.
            while (milestone < milestones.Length && Bucket(milestones[milestone] * milestones[milestone], maxAreaTolerance) > current)
            {
                floor = Math.Max(floor, Math.BitIncrement(milestones[milestone] * milestones[milestone]));
                reached(milestones[milestone++]);
            }

            var bucket = buckets[current];
            while (bucket.Count > 0)
            {
                var s = bucket[^1];
                bucket.RemoveAt(bucket.Count - 1);
                if (_vertexRemoved[_slotVertex[s]] || Bucket(_cornerArea[s], maxAreaTolerance) < current)
                {
                    // Removed, or its area grew since: a later entry of it sits in a larger-area bucket.
                    continue;
                }

                var chain = _chainOf[s];
                if ((_closed[chain] && _interiorLeft[chain] <= 2) || TriangleHoldsVertex(_previous[s], s, _next[s]))
                {
                    continue;
                }

                floor = Math.Max(floor, _cornerArea[s]);
                removal[s] = floor;
                _vertexRemoved[_slotVertex[s]] = true;
                RemovedFromGrid(_slotVertex[s]);
                _interiorLeft[chain]--;
                int p = _previous[s], n = _next[s];
                _next[p] = n;
                _previous[n] = p;
                Update(p);
                Update(n);
            }
        }

        for (; milestone < milestones.Length; milestone++)
        {
            reached(milestones[milestone]);
        }

        void Update(int slot)
        {
            if (_previous[slot] >= 0 && _next[slot] >= 0)
            {
                var area = _cornerArea[slot] = Area(_previous[slot], slot, _next[slot]);
                if (area <= maxAreaTolerance)
                {
                    // A corner smaller than the bucket being emptied goes into it: its recorded area is clamped.
                    buckets[Math.Min(Bucket(area, maxAreaTolerance), current)].Add(slot);
                }
            }
        }
    }

    private const int BucketsPerFactor4 = 8;
    private const int BucketCount = BucketsPerFactor4 * 40;

    /// <summary>
    /// 0 for the largest areas (up to the tolerance), growing as the area shrinks; areas above the tolerance give
    /// a negative index. floor(8 log4(max / area)) from the binary exponent and three mantissa thresholds (the
    /// logarithm was a tenth of the ranking's time); exact on the powers of 4 the zooms' tolerances fall on.
    /// </summary>
    private static int Bucket(double area, double maxAreaTolerance)
    {
        var ratio = maxAreaTolerance / area;
        if (area <= 0 || double.IsInfinity(ratio))
        {
            return BucketCount - 1;
        }

        var exponent = Math.ILogB(ratio);
        var mantissa = Math.ScaleB(ratio, -exponent);
        var bucket = (4 * exponent) + (mantissa >= 1.189207115002721 ? 1 : 0) + (mantissa >= 1.4142135623730951 ? 1 : 0) + (mantissa >= 1.681792830507429 ? 1 : 0);
        return Math.Min(BucketCount - 1, bucket);
    }

    /// <summary>
    /// Rebuilds the grid over the remaining vertices when half of them went: the late corners are large and the
    /// removed vertices would otherwise make up most of what each query scans.
    /// </summary>
    private void RemovedFromGrid(int vertex)
    {
        _grid.Remove(vertex);
        _live--;
        if (++_removedSinceGrid >= _live)
        {
            var remaining = new int[_live];
            var count = 0;
            for (var v = 0; v < _vertexRemoved.Length && count < _live; v++)
            {
                if (!_vertexRemoved[v])
                {
                    remaining[count++] = v;
                }
            }

            _grid = new VertexGrid(_vertexX, _vertexY, remaining[..count]);
            _removedSinceGrid = 0;
        }
    }

    private double Area(int a, int b, int c) =>
        Math.Abs(((_x[b] - _x[a]) * (_y[c] - _y[a])) - ((_x[c] - _x[a]) * (_y[b] - _y[a]))) / 2;

    /// <summary>True when a remaining vertex other than the corners lies in the triangle or on its boundary.</summary>
    private bool TriangleHoldsVertex(int a, int b, int c)
    {
        double ax = _x[a], ay = _y[a], bx = _x[b], by = _y[b], cx = _x[c], cy = _y[c];
        var orientation = Side(ax, ay, bx, by, cx, cy);
        double minX = Math.Min(ax, Math.Min(bx, cx)), maxX = Math.Max(ax, Math.Max(bx, cx));
        double minY = Math.Min(ay, Math.Min(by, cy)), maxY = Math.Max(ay, Math.Max(by, cy));
        var grid = _grid;
        int c0 = grid.Column(minX), c1 = grid.Column(maxX), r0 = grid.Row(minY), r1 = grid.Row(maxY);
        for (var row = r0; row <= r1; row++)
        {
            for (var column = c0; column <= c1; column++)
            {
                var cell = (row * grid.Columns) + column;
                for (var i = grid.CellStart[cell]; i < grid.CellStart[cell + 1]; i++)
                {
                    // Removed vertices are NaN here and fail the box test.
                    double px = grid.EntryX[i], py = grid.EntryY[i];
                    if (!(px >= minX && px <= maxX && py >= minY && py <= maxY)
                        || (px == ax && py == ay) || (px == bx && py == by) || (px == cx && py == cy))
                    {
                        continue;
                    }

                    var blocks = orientation == 0
                        ? Side(ax, ay, bx, by, px, py) == 0 || Side(bx, by, cx, cy, px, py) == 0
                        : Side(ax, ay, bx, by, px, py) * orientation >= 0
                            && Side(bx, by, cx, cy, px, py) * orientation >= 0
                            && Side(cx, cy, ax, ay, px, py) * orientation >= 0;
                    if (blocks)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private static int Side(double ax, double ay, double bx, double by, double px, double py) =>
        Math.Sign(((bx - ax) * (py - ay)) - ((px - ax) * (by - ay)));
}
