using System.Runtime.InteropServices;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Implementation;

namespace TileServer.Core.Tiles;

/// <summary>
/// Simplifies a clean polygonal coverage at many tolerances from one ranking: topology-preserving
/// Visvalingam-Whyatt over the coverage's shared edge chains, computed once, then a filter per tolerance.
/// </summary>
/// <remarks>
/// <para>Why not NTS <see cref="NetTopologySuite.Coverage.CoverageSimplifier"/>: it extracts the shared edges and
/// runs its simplifier again for every tolerance; for the eleven zooms of Peru's districts that was about 1.1 s of
/// CPU (z10 alone 0.5 s), more than all the clipping and encoding of the same tiles (TileBuildBenchmarks,
/// benchmarks/README.md, Tiles). The algorithm below is the same one (NTS <c>CoverageRingEdges</c> +
/// <c>TPVWSimplifier</c>, JTS by Martin Davis), restructured so that the expensive part happens once.</para>
/// <para>Chains: a vertex is a node when it does not have exactly two distinct neighbours over all rings (where
/// three or more units meet, or a shared border meets the coverage's outer boundary); a ring without any node gets
/// its smallest vertex (x, then y) as node, the same one for the two rings sharing it. Each chain between two
/// consecutive nodes is stored once; the rings of every unit are lists of chains, forward or reversed, so
/// neighbours are rebuilt from the very same vertices and stay free of gaps and overlaps at every tolerance.</para>
/// <para>Ranking (Visvalingam and Whyatt 1993, with the topology check of NTS <c>TPVWSimplifier</c>): one queue
/// (buckets of area ratio 4^(1/8), see <c>Ranking.Run</c>) over the interior vertices of every chain by the area of
/// the triangle each forms with its current neighbours; the smallest is removed unless the triangle contains or
/// touches another remaining vertex of any chain (found with a uniform grid) or the chain is a closed ring down to
/// two interior vertices; the neighbours' areas are then recomputed. Each removed vertex records its area, clamped
/// to be non-decreasing along the removal order, so the vertices whose recorded area is at most a tolerance are a
/// prefix of the removal sequence: the state the same run had at that tolerance, without crossings it had not.
/// Tolerance mapping as NTS: a distance tolerance d removes corners whose triangle area is at most d squared.</para>
/// <para>Rebuilding: a ring keeps the nodes and the vertices whose recorded area exceeds the tolerance; a ring left
/// with fewer than three distinct vertices or no area is dropped (its neighbours meet along the same collapsed
/// chain, so no gap opens), a polygon whose shell is dropped goes with its holes, and a unit with no polygon left
/// is an empty polygon.</para>
/// <para>Thread safety: immutable after construction; <see cref="Simplify"/> is safe from any number of threads.</para>
/// </remarks>
public sealed class CoverageChainSimplifier
{
    private readonly GeometryFactory _factory;
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double[] _removalArea;

    /// <summary>Chain c occupies slots [_chainStart[c], _chainStart[c + 1]); its first and last slots are nodes.</summary>
    private readonly int[] _chainStart;

    /// <summary>Per unit, per polygon, per ring (shell first): chain references, chain * 2 + 1 when reversed.</summary>
    private readonly int[][][][] _units;

    /// <summary>Ranks the coverage's vertices up to <paramref name="maxTolerance"/> (vertices that survive it are kept at every tolerance).</summary>
    /// <param name="coverage">A clean coverage: polygons or multipolygons whose shared borders have identical vertices.</param>
    /// <param name="maxTolerance">The largest distance tolerance <see cref="Simplify"/> will be asked for.</param>
    public CoverageChainSimplifier(IReadOnlyList<Geometry> coverage, double maxTolerance)
        : this(coverage, maxTolerance, [], null)
    {
    }

    /// <summary>
    /// Ranks the coverage's vertices and reports each of <paramref name="tolerances"/> as soon as the ranking has
    /// passed it, smallest first, so that callers can start on the fine zooms while the coarse ones are ranked.
    /// </summary>
    /// <param name="coverage">A clean coverage: polygons or multipolygons whose shared borders have identical vertices.</param>
    /// <param name="maxTolerance">The largest distance tolerance <see cref="Simplify"/> will be asked for.</param>
    /// <param name="tolerances">Tolerances to report (at most <paramref name="maxTolerance"/>).</param>
    /// <param name="reached">
    /// Called on the constructing thread with this simplifier and a tolerance once <see cref="Simplify"/> at that
    /// tolerance is final: from then on it may be called at that tolerance from any thread, even before the
    /// constructor returns (later removals record areas above it).
    /// </param>
    public CoverageChainSimplifier(IReadOnlyList<Geometry> coverage, double maxTolerance, IReadOnlyList<double> tolerances, Action<CoverageChainSimplifier, double>? reached)
    {
        ArgumentNullException.ThrowIfNull(coverage);
        _factory = coverage.Count > 0 ? coverage[0].Factory : NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory();
        var vertices = new VertexTable(coverage.Sum(g => g.NumPoints));
        var rings = new int[coverage.Count][][][];
        for (var u = 0; u < coverage.Count; u++)
        {
            var polygons = new List<int[][]>();
            for (var p = 0; p < coverage[u].NumGeometries; p++)
            {
                if (coverage[u].GetGeometryN(p) is not Polygon polygon || polygon.IsEmpty)
                {
                    continue;
                }

                var polygonRings = new int[1 + polygon.NumInteriorRings][];
                polygonRings[0] = vertices.AddRing(polygon.ExteriorRing.CoordinateSequence);
                for (var h = 0; h < polygon.NumInteriorRings; h++)
                {
                    polygonRings[h + 1] = vertices.AddRing(polygon.GetInteriorRingN(h).CoordinateSequence);
                }

                polygons.Add(polygonRings);
            }

            rings[u] = [.. polygons];
        }

        var isNode = vertices.FindNodes(rings);
        var chains = new ChainBuilder();
        _units = new int[rings.Length][][][];
        for (var u = 0; u < rings.Length; u++)
        {
            _units[u] = new int[rings[u].Length][][];
            for (var p = 0; p < rings[u].Length; p++)
            {
                _units[u][p] = new int[rings[u][p].Length][];
                for (var r = 0; r < rings[u][p].Length; r++)
                {
                    _units[u][p][r] = chains.Split(rings[u][p][r], isNode);
                }
            }
        }

        _chainStart = [.. chains.Starts, chains.Slots.Count];
        var slotVertex = chains.Slots.ToArray();
        _x = new double[slotVertex.Length];
        _y = new double[slotVertex.Length];
        for (var s = 0; s < slotVertex.Length; s++)
        {
            _x[s] = vertices.X[slotVertex[s]];
            _y[s] = vertices.Y[slotVertex[s]];
        }

        _removalArea = new double[slotVertex.Length];
        Array.Fill(_removalArea, double.PositiveInfinity);
        var milestones = tolerances.Where(t => t <= maxTolerance).Order().ToArray();
        new Ranking(this, slotVertex, vertices).Run(maxTolerance * maxTolerance, milestones, tolerance => reached?.Invoke(this, tolerance));
    }

    /// <summary>Number of distinct shared edge chains.</summary>
    public int ChainCount => _chainStart.Length - 1;

    /// <summary>The coverage simplified at a distance tolerance (NTS CoverageSimplifier's meaning), one geometry per unit.</summary>
    public Geometry[] Simplify(double tolerance)
    {
        var areaTolerance = tolerance * tolerance;
        var result = new Geometry[_units.Length];
        var coordinates = new List<double>();
        for (var u = 0; u < _units.Length; u++)
        {
            var polygons = new List<Polygon>(_units[u].Length);
            foreach (var polygon in _units[u])
            {
                var shell = BuildRing(polygon[0], areaTolerance, coordinates);
                if (shell is null)
                {
                    continue;
                }

                var holes = new List<LinearRing>();
                for (var r = 1; r < polygon.Length; r++)
                {
                    if (BuildRing(polygon[r], areaTolerance, coordinates) is { } hole)
                    {
                        holes.Add(hole);
                    }
                }

                polygons.Add(_factory.CreatePolygon(shell, [.. holes]));
            }

            result[u] = polygons.Count switch
            {
                0 => _factory.CreatePolygon(),
                1 => polygons[0],
                _ => _factory.CreateMultiPolygon([.. polygons]),
            };
        }

        return result;
    }

    private LinearRing? BuildRing(int[] chainRefs, double areaTolerance, List<double> xy)
    {
        xy.Clear();
        foreach (var reference in chainRefs)
        {
            var chain = reference >> 1;
            int first = _chainStart[chain], last = _chainStart[chain + 1] - 1;
            if ((reference & 1) == 0)
            {
                xy.Add(_x[first]);
                xy.Add(_y[first]);
                for (var s = first + 1; s < last; s++)
                {
                    if (_removalArea[s] > areaTolerance)
                    {
                        xy.Add(_x[s]);
                        xy.Add(_y[s]);
                    }
                }
            }
            else
            {
                xy.Add(_x[last]);
                xy.Add(_y[last]);
                for (var s = last - 1; s > first; s--)
                {
                    if (_removalArea[s] > areaTolerance)
                    {
                        xy.Add(_x[s]);
                        xy.Add(_y[s]);
                    }
                }
            }
        }

        // Two chains collapsed onto the same segment leave a ring of two distinct points, or a spike: no area.
        var n = xy.Count / 2;
        if (n < 3)
        {
            return null;
        }

        var area2 = 0.0;
        for (int i = 0, j = n - 1; i < n; j = i++)
        {
            area2 += (xy[2 * j] * xy[(2 * i) + 1]) - (xy[2 * i] * xy[(2 * j) + 1]);
        }

        if (area2 == 0)
        {
            return null;
        }

        var packed = new double[(n + 1) * 2];
        xy.CopyTo(packed);
        packed[2 * n] = xy[0];
        packed[(2 * n) + 1] = xy[1];
        return _factory.CreateLinearRing(new PackedDoubleCoordinateSequence(packed, 2, 0));
    }

    /// <summary>Distinct vertices by exact coordinates, and each vertex's distinct neighbours.</summary>
    private sealed class VertexTable(int capacity)
    {
        private readonly Dictionary<(double X, double Y), int> _ids = new(capacity, PointComparer.Instance);

        public List<double> X { get; } = [];

        public List<double> Y { get; } = [];

        public int[] AddRing(CoordinateSequence sequence)
        {
            var ids = new List<int>(sequence.Count);
            for (var i = 0; i < sequence.Count; i++)
            {
                var key = (sequence.GetX(i), sequence.GetY(i));
                ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(_ids, key, out var exists);
                if (!exists)
                {
                    id = X.Count;
                    X.Add(key.Item1);
                    Y.Add(key.Item2);
                }

                if (ids.Count == 0 || ids[^1] != id)
                {
                    ids.Add(id);
                }
            }

            while (ids.Count > 1 && ids[^1] == ids[0])
            {
                ids.RemoveAt(ids.Count - 1);
            }

            return [.. ids];
        }

        public bool[] FindNodes(int[][][][] rings)
        {
            var count = X.Count;
            var first = new int[count];
            var second = new int[count];
            var isNode = new bool[count];
            Array.Fill(first, -1);
            Array.Fill(second, -1);
            foreach (var ring in rings.SelectMany(u => u).SelectMany(p => p))
            {
                for (var i = 0; i < ring.Length; i++)
                {
                    var a = ring[i];
                    var b = ring[(i + 1) % ring.Length];
                    AddNeighbour(a, b);
                    AddNeighbour(b, a);
                }
            }

            for (var v = 0; v < count; v++)
            {
                isNode[v] |= second[v] < 0;
            }

            foreach (var ring in rings.SelectMany(u => u).SelectMany(p => p))
            {
                if (ring.Length > 0 && !ring.Any(v => isNode[v]))
                {
                    var smallest = ring[0];
                    foreach (var v in ring)
                    {
                        if (X[v] < X[smallest] || (X[v] == X[smallest] && Y[v] < Y[smallest]))
                        {
                            smallest = v;
                        }
                    }

                    isNode[smallest] = true;
                }
            }

            return isNode;

            void AddNeighbour(int v, int w)
            {
                if (first[v] < 0 || first[v] == w)
                {
                    first[v] = w;
                }
                else if (second[v] < 0 || second[v] == w)
                {
                    second[v] = w;
                }
                else
                {
                    isNode[v] = true;
                }
            }
        }
    }

    /// <summary>Exact coordinates as keys, hashed from their bits (the tuple's default hash was slower on Peru).</summary>
    private sealed class PointComparer : IEqualityComparer<(double X, double Y)>
    {
        public static readonly PointComparer Instance = new();

        public bool Equals((double X, double Y) a, (double X, double Y) b) => a.X == b.X && a.Y == b.Y;

        public int GetHashCode((double X, double Y) point)
        {
            var hash = (ulong)BitConverter.DoubleToInt64Bits(point.X) * 0x9E3779B97F4A7C15UL;
            hash ^= (ulong)BitConverter.DoubleToInt64Bits(point.Y) + (hash >> 29);
            hash *= 0xBF58476D1CE4E5B9UL;
            return (int)(hash ^ (hash >> 32));
        }
    }

    /// <summary>Splits rings at nodes into chains, each stored once (keyed by its first step, in both directions).</summary>
    private sealed class ChainBuilder
    {
        private readonly Dictionary<(int From, int To), int> _byFirstStep = [];

        public List<int> Starts { get; } = [];

        public List<int> Slots { get; } = [];

        public int[] Split(int[] ring, bool[] isNode)
        {
            var n = ring.Length;
            var start = Array.FindIndex(ring, v => isNode[v]);
            var references = new List<int>();
            if (start < 0)
            {
                return [];
            }

            var i = start;
            do
            {
                var j = (i + 1) % n;
                while (!isNode[ring[j]])
                {
                    j = (j + 1) % n;
                }

                var key = (ring[i], ring[(i + 1) % n]);
                if (!_byFirstStep.TryGetValue(key, out var reference))
                {
                    var chain = Starts.Count;
                    Starts.Add(Slots.Count);
                    var k = i;
                    do
                    {
                        Slots.Add(ring[k]);
                        k = (k + 1) % n;
                    }
                    while (k != j);
                    Slots.Add(ring[j]);
                    reference = chain * 2;
                    _byFirstStep[key] = reference;
                    _byFirstStep[(ring[j], Slots[^2])] = reference + 1;
                }

                references.Add(reference);
                i = j;
            }
            while (i != start);
            return [.. references];
        }
    }

    /// <summary>The one topology-preserving Visvalingam-Whyatt run over every chain.</summary>
    private sealed class Ranking
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

        public Ranking(CoverageChainSimplifier owner, int[] slotVertex, VertexTable vertices)
        {
            _x = owner._x;
            _y = owner._y;
            _removalArea = owner._removalArea;
            _slotVertex = slotVertex;
            var slots = slotVertex.Length;
            var chains = owner._chainStart.Length - 1;
            _previous = new int[slots];
            _next = new int[slots];
            _chainOf = new int[slots];
            _cornerArea = new double[slots];
            _interiorLeft = new int[chains];
            _closed = new bool[chains];
            for (var c = 0; c < chains; c++)
            {
                int first = owner._chainStart[c], last = owner._chainStart[c + 1] - 1;
                _interiorLeft[c] = last - first - 1;
                _closed[c] = slotVertex[first] == slotVertex[last];
                for (var s = first; s <= last; s++)
                {
                    _previous[s] = s - 1;
                    _next[s] = s + 1;
                    _chainOf[s] = c;
                }

                _previous[first] = -1;
                _next[last] = -1;
            }

            _vertexRemoved = new bool[vertices.X.Count];
            _vertexX = [.. vertices.X];
            _vertexY = [.. vertices.Y];
            _live = _vertexX.Length;
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

    /// <summary>
    /// A uniform grid of vertices (about two per cell), for the triangle queries of the ranking: each cell's
    /// coordinates are stored together, so a query reads memory in order; a removed vertex becomes NaN.
    /// </summary>
    private sealed class VertexGrid
    {
        private readonly double _minX;
        private readonly double _minY;
        private readonly double _cell = 1;
        private readonly int _rows = 1;
        private readonly int[] _entryOf;

        public VertexGrid(double[] x, double[] y, int[] ids)
        {
            var n = ids.Length;
            _entryOf = new int[x.Length];
            if (n == 0)
            {
                CellStart = [0, 0];
                EntryX = EntryY = [];
                return;
            }

            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            foreach (var v in ids)
            {
                minX = Math.Min(minX, x[v]);
                minY = Math.Min(minY, y[v]);
                maxX = Math.Max(maxX, x[v]);
                maxY = Math.Max(maxY, y[v]);
            }

            _minX = minX;
            _minY = minY;
            var width = Math.Max(maxX - minX, 1e-9);
            var height = Math.Max(maxY - minY, 1e-9);
            _cell = Math.Max(Math.Sqrt(width * height / Math.Max(n / 2.0, 1)), Math.Max(width, height) / 4096);
            Columns = (int)Math.Floor(width / _cell) + 1;
            _rows = (int)Math.Floor(height / _cell) + 1;
            CellStart = new int[(Columns * _rows) + 1];
            var cellOf = new int[n];
            for (var i = 0; i < n; i++)
            {
                cellOf[i] = (Row(y[ids[i]]) * Columns) + Column(x[ids[i]]);
                CellStart[cellOf[i] + 1]++;
            }

            for (var c = 0; c < Columns * _rows; c++)
            {
                CellStart[c + 1] += CellStart[c];
            }

            EntryX = new double[n];
            EntryY = new double[n];
            var fill = CellStart[..^1].ToArray();
            for (var i = 0; i < n; i++)
            {
                var entry = fill[cellOf[i]]++;
                EntryX[entry] = x[ids[i]];
                EntryY[entry] = y[ids[i]];
                _entryOf[ids[i]] = entry;
            }
        }

        public double[] EntryX { get; }

        public double[] EntryY { get; }

        public int Columns { get; } = 1;

        public int[] CellStart { get; }

        public void Remove(int vertex)
        {
            EntryX[_entryOf[vertex]] = double.NaN;
            EntryY[_entryOf[vertex]] = double.NaN;
        }

        public int Column(double x) => Math.Clamp((int)((x - _minX) / _cell), 0, Columns - 1);

        public int Row(double y) => Math.Clamp((int)((y - _minY) / _cell), 0, _rows - 1);
    }
}
