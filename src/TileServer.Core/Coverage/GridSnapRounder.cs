using System.Collections.Concurrent;
using NetTopologySuite.Geometries;
using TileServer.Core.Model;

namespace TileServer.Core.Coverage;

/// <summary>
/// Linework noded on an integer grid: nodes, the distinct edges between them, and for each edge the tags of every
/// input segment that runs along it (with repetition, in input order).
/// </summary>
/// <remarks>Edge <c>e</c> joins <c>EdgeA[e]</c> and <c>EdgeB[e]</c> (<c>EdgeA[e] &lt; EdgeB[e]</c>); its tags are
/// <c>Tags[TagStart[e]..TagStart[e + 1]]</c>. Edges meet only at shared end nodes. Immutable by convention.</remarks>
internal sealed record NodedLinework(long[] X, long[] Y, int[] EdgeA, int[] EdgeB, int[] TagStart, int[] Tags)
{
    public int EdgeCount => EdgeA.Length;

    public ReadOnlySpan<int> TagsOf(int edge) => Tags.AsSpan(TagStart[edge], TagStart[edge + 1] - TagStart[edge]);
}

/// <summary>
/// Snap rounding of polygon linework to an integer grid of 1/scale units, purpose-built for district layers whose
/// vertices already lie on the grid (the Peru layer stores 7 decimals of a degree; the default grid is 1e-7 degree).
/// </summary>
/// <remarks>
/// <para>
/// Semantics are those of Hobby's snap rounding (J. D. Hobby, "Practical segment intersection with finite precision
/// output", Computational Geometry 13, 1999; Guibas and Marimont, "Rounding arrangements dynamically", 1998), the
/// algorithm of JTS/NTS <c>SnapRoundingNoder</c>, which is the reference: the plane is tiled by unit pixels centred
/// on grid points, half-open like NTS <c>HotPixel</c> (the bottom and left edges belong to a pixel, the top and
/// right ones do not, so every point is in exactly one pixel and a point's pixel is its rounding
/// <c>floor(v + 0.5)</c>). A pixel is hot when it holds a vertex or the crossing point of two segments. Every segment
/// that passes through a hot pixel gets a node at the pixel's centre, and is replaced by the path through its
/// nodes in order along it.
/// </para>
/// <para>Steps:</para>
/// <list type="number">
/// <item>Vertices are rounded to the grid as they are added (a no-op for data stored at the grid's precision; unlike
/// <c>SnapRoundingNoder</c>, off-grid input is therefore noded as rounded, which may differ from exact snap rounding
/// within a pixel). Identical segments, which is what a border shared vertex for vertex becomes, are kept once with
/// the tags of all their occurrences.</item>
/// <item>Segments are bucketed in a uniform grid of cells by their envelope. A pixel can only be touched by a segment
/// with integer end points if its centre lies in the segment's closed envelope, so only pairs found in a common cell
/// are tested, a pair of segments in the cell holding the corner of their envelopes' intersection (once), a hot pixel
/// against the segments in the cell holding its centre. The proper crossing of two segments is computed exactly
/// (128-bit rational) and makes its pixel hot.</item>
/// <item>A hot pixel lies on a segment when the segment meets the pixel's half-open square, decided exactly in
/// integers from the cross product of the segment direction with the pixel centre (the four corners' sides are that
/// value plus or minus |dx| + |dy|). Nodes are ordered along the segment by an exact dot product.</item>
/// <item>Splitting moves segments by up to a pixel, so the new pieces are tested again (crossings with any segment,
/// hot pixels they now pass through; pixels made hot in a pass against the untouched segments) until a pass changes
/// nothing, as in iterated snap rounding (Halperin and Packer 2002; Hershberger's stable snap rounding, 2013, treats
/// the same drift differently). The result has edges that meet only at shared end nodes and pass through no hot
/// pixel but their own ends. On Peru the first pass makes 71,898 crossing pixels hot and adds 287,702 nodes, the
/// second finds 5 pieces that drifted into a hot pixel, the third nothing.</item>
/// <item>Pieces with the same end nodes become one edge carrying every tag.</item>
/// </list>
/// <para>
/// Why not the library: on the Peru layer (342,496 ring segments, 189,307 distinct) NTS <c>SnapRoundingNoder</c>
/// takes 2.6 to 3.8 s and allocates 2.7 GB to node the linework, against 0.3 to 0.5 s and 0.23 GB here
/// (BenchmarkDotNet <c>CoverageCleaningBenchmarks</c>, figures in <c>benchmarks/coverage/README.md</c>); the whole
/// cleaning has to stay under 3 s and twice as fast as <c>mapshaper -clean</c>. The library keeps every segment
/// string, node and hot pixel as an object (monotone chains, a KD-tree of pixels, a node list per string) and finds
/// intersections in floating point with a nearness tolerance; here the inner loops read flat arrays of grid integers,
/// copied into the cells they are tested in, and allocate nothing per test. Each pass's crossing and hot-pixel loops
/// run in parallel over segments; ids and results do not depend on the thread schedule.
/// </para>
/// <para>Grid coordinates must fit in 32 bits (with the default grid, any longitude and latitude do). Not thread
/// safe while adding lines; <see cref="Node"/> does not change the rounder and may be called again.</para>
/// </remarks>
internal sealed class GridSnapRounder
{
    /// <summary>Segments no longer than this in either direction have exact cross products in 64 bits.</summary>
    private const long ShortSegment = 1L << 29;

    private readonly double _scale;
    private readonly KeyIndex _pixelIds = new();
    private readonly KeyIndex _segmentIds = new();
    private long[] _pixelX = new long[256];
    private long[] _pixelY = new long[256];
    private int[] _inputA = new int[256];
    private int[] _inputB = new int[256];
    private int[] _occurrenceSegment = new int[256];
    private int[] _occurrenceTag = new int[256];
    private int _occurrenceCount;

    /// <param name="scale">Grid cells per unit of the input coordinates (1e7 for 1e-7 degree).</param>
    public GridSnapRounder(double scale)
    {
        if (!(scale > 0) || double.IsInfinity(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The grid scale must be positive and finite.");
        }

        _scale = scale;
    }

    /// <summary>Adds a line (a ring or a path) whose segments carry <paramref name="tag"/>.</summary>
    public void Add(CoordinateSequence line, int tag)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentOutOfRangeException.ThrowIfNegative(tag);
        var previous = -1;
        for (var i = 0; i < line.Count; i++)
        {
            var current = PixelOf(Round(line.GetX(i)), Round(line.GetY(i)));
            if (previous >= 0 && current != previous)
            {
                AddSegment(previous, current, tag);
            }

            previous = current;
        }
    }

    private long Round(double value)
    {
        var rounded = Math.Floor((value * _scale) + 0.5);
        if (!(Math.Abs(rounded) <= int.MaxValue))
        {
            throw new ArgumentException(
                $"Coordinate {value} is {rounded} grid cells from 0 at scale {_scale}; at most 2^31 - 1 are supported.");
        }

        return (long)rounded;
    }

    private int PixelOf(long x, long y)
    {
        var count = _pixelIds.Count;
        var id = _pixelIds.GetOrAdd(((ulong)(uint)(int)x << 32) | (uint)(int)y);
        if (id == count)
        {
            Put(ref _pixelX, id, x);
            Put(ref _pixelY, id, y);
        }

        return id;
    }

    private void AddSegment(int a, int b, int tag)
    {
        var (lo, hi) = a < b ? (a, b) : (b, a);
        var count = _segmentIds.Count;
        var segment = _segmentIds.GetOrAdd(((ulong)(uint)lo << 32) | (uint)hi);
        if (segment == count)
        {
            Put(ref _inputA, segment, lo);
            Put(ref _inputB, segment, hi);
        }

        Put(ref _occurrenceSegment, _occurrenceCount, segment);
        Put(ref _occurrenceTag, _occurrenceCount, tag);
        _occurrenceCount++;
    }

    private static void Put<T>(ref T[] array, int index, T value)
    {
        if (index >= array.Length)
        {
            Array.Resize(ref array, Math.Max(2 * array.Length, index + 1));
        }

        array[index] = value;
    }

    /// <summary>Snap-rounds and nodes everything added so far.</summary>
    public NodedLinework Node()
    {
        var inputCount = _segmentIds.Count;
        var state = new NodingState(_pixelX, _pixelY, _pixelIds.Count, _pixelIds.Clone(), _inputA, _inputB, inputCount);
        state.Run();
        return state.Result(_occurrenceSegment, _occurrenceTag, _occurrenceCount, inputCount);
    }

    /// <summary>The working set of one <see cref="Node"/> call: hot pixels, current segments, buckets.</summary>
    private sealed class NodingState
    {
        private readonly KeyIndex _pixelIds;
        private long[] _pixelX;
        private long[] _pixelY;
        private int _pixelCount;

        // Current segments: end pixels, the input segment each comes from, and whether it is new since the last pass.
        private int[] _segmentA;
        private int[] _segmentB;
        private int[] _segmentSource;
        private bool[] _segmentNew;
        private int _segmentCount;

        private readonly long _originX;
        private readonly long _originY;
        private readonly long _cellSize;
        private readonly int _columns;
        private readonly int _rows;

        // Per pass: each segment with its end points and first cell, and copies of these in every cell its envelope
        // meets (the inner loops then read one contiguous run of memory per cell); hot pixels per cell likewise. The
        // arrays are reused from pass to pass.
        private SegmentBox[] _boxes = [];
        private int[] _segmentBucketStart = [];
        private SegmentBox[] _segmentBucket = [];
        private int[] _pixelBucketStart = [];
        private PixelEntry[] _pixelBucket = [];
        private int[] _pixelCell = [];
        private int[] _cellFill = [];

        // Nodes found in a pass, as (segment << 32) | pixel.
        private ulong[] _nodes = new ulong[1024];
        private int _nodeCount;

        public NodingState(long[] pixelX, long[] pixelY, int pixelCount, KeyIndex pixelIds, int[] inputA, int[] inputB,
            int inputCount)
        {
            _pixelX = (long[])pixelX.Clone();
            _pixelY = (long[])pixelY.Clone();
            _pixelCount = pixelCount;
            _pixelIds = pixelIds;
            _segmentA = inputA[..inputCount];
            _segmentB = inputB[..inputCount];
            _segmentSource = new int[inputCount];
            _segmentNew = new bool[inputCount];
            for (var s = 0; s < inputCount; s++)
            {
                _segmentSource[s] = s;
                _segmentNew[s] = true;
            }

            _segmentCount = inputCount;

            long minX = long.MaxValue, minY = long.MaxValue, maxX = long.MinValue, maxY = long.MinValue;
            for (var p = 0; p < pixelCount; p++)
            {
                minX = Math.Min(minX, pixelX[p]);
                maxX = Math.Max(maxX, pixelX[p]);
                minY = Math.Min(minY, pixelY[p]);
                maxY = Math.Max(maxY, pixelY[p]);
            }

            if (pixelCount == 0)
            {
                minX = minY = maxX = maxY = 0;
            }

            _originX = minX;
            _originY = minY;
            (_cellSize, _columns, _rows) = ChooseCells(maxX - minX + 1, maxY - minY + 1);
        }

        /// <summary>A segment's end pixels and points, whether it is new, and the lowest cell its envelope meets.</summary>
        private readonly record struct SegmentBox(int Id, int A, int B, bool IsNew, int CellX, int CellY, long Ax, long Ay,
            long Bx, long By)
        {
            public long MinX => Math.Min(Ax, Bx);

            public long MaxX => Math.Max(Ax, Bx);

            public long MinY => Math.Min(Ay, By);

            public long MaxY => Math.Max(Ay, By);
        }

        private readonly record struct PixelEntry(int Id, long X, long Y);

        private readonly record struct Crossing(ulong Pair, long X, long Y);

        /// <summary>
        /// Cells about as wide as an average segment is long, so a segment meets few cells and a cell few segments,
        /// within a budget of about two cells per segment (a layer's linework leaves most of its envelope empty) and
        /// of eight cell entries per segment: a few long diagonal segments (straight borders drawn with two vertices
        /// beside detailed coasts) would otherwise each fill a large share of the cells.
        /// </summary>
        private (long Size, int Columns, int Rows) ChooseCells(long width, long height)
        {
            double extent = 0;
            for (var s = 0; s < _segmentCount; s++)
            {
                extent += Math.Max(Math.Abs(_pixelX[_segmentB[s]] - _pixelX[_segmentA[s]]),
                    Math.Abs(_pixelY[_segmentB[s]] - _pixelY[_segmentA[s]]));
            }

            var size = Math.Max(1, (long)Math.Ceiling(extent / Math.Max(1, _segmentCount)));
            var cellBudget = (2.0 * _segmentCount) + 64;
            var entryBudget = (8.0 * _segmentCount) + 64;
            while ((double)((width + size - 1) / size) * ((height + size - 1) / size) > cellBudget
                || Entries(size) > entryBudget)
            {
                size = (long)Math.Ceiling(size * 1.25) + 1;
            }

            return (size, (int)((width + size - 1) / size), (int)((height + size - 1) / size));
        }

        /// <summary>How many cell entries the segments' envelopes make with cells of <paramref name="size"/>.</summary>
        private double Entries(long size)
        {
            double entries = 0;
            for (var s = 0; s < _segmentCount; s++)
            {
                long ax = _pixelX[_segmentA[s]] - _originX, ay = _pixelY[_segmentA[s]] - _originY;
                long bx = _pixelX[_segmentB[s]] - _originX, by = _pixelY[_segmentB[s]] - _originY;
                entries += (double)((Math.Max(ax, bx) / size) - (Math.Min(ax, bx) / size) + 1)
                    * ((Math.Max(ay, by) / size) - (Math.Min(ay, by) / size) + 1);
            }

            return entries;
        }

        public void Run()
        {
            while (_segmentCount > 0)
            {
                BucketSegments();
                _nodeCount = 0;
                var firstFreshPixel = _pixelCount;
                FindCrossings();
                BucketPixels();
                SnapNewSegments();
                SnapFreshPixels(firstFreshPixel);
                if (_nodeCount == 0)
                {
                    return;
                }

                Split();
            }
        }

        private int CellX(long x) => (int)((x - _originX) / _cellSize);

        private int CellY(long y) => (int)((y - _originY) / _cellSize);

        private static int ChunkSize(int count) => Math.Max(1024, count / (4 * Environment.ProcessorCount));

        private void BucketSegments()
        {
            Reserve(ref _boxes, _segmentCount);
            var cellCount = _columns * _rows;
            Reserve(ref _segmentBucketStart, cellCount + 1);
            Reserve(ref _cellFill, cellCount);
            var start = _segmentBucketStart;
            Array.Clear(start, 0, cellCount + 1);
            for (var s = 0; s < _segmentCount; s++)
            {
                int a = _segmentA[s], b = _segmentB[s];
                long ax = _pixelX[a], ay = _pixelY[a], bx = _pixelX[b], by = _pixelY[b];
                var box = new SegmentBox(s, a, b, _segmentNew[s], CellX(Math.Min(ax, bx)), CellY(Math.Min(ay, by)), ax, ay,
                    bx, by);
                _boxes[s] = box;
                int x1 = CellX(box.MaxX), y1 = CellY(box.MaxY);
                for (var cy = box.CellY; cy <= y1; cy++)
                {
                    for (var cx = box.CellX; cx <= x1; cx++)
                    {
                        start[(cy * _columns) + cx + 1]++;
                    }
                }
            }

            for (var c = 0; c < cellCount; c++)
            {
                start[c + 1] += start[c];
            }

            Reserve(ref _segmentBucket, start[cellCount]);
            Array.Copy(start, _cellFill, cellCount);
            for (var s = 0; s < _segmentCount; s++)
            {
                var box = _boxes[s];
                int x1 = CellX(box.MaxX), y1 = CellY(box.MaxY);
                for (var cy = box.CellY; cy <= y1; cy++)
                {
                    for (var cx = box.CellX; cx <= x1; cx++)
                    {
                        _segmentBucket[_cellFill[(cy * _columns) + cx]++] = box;
                    }
                }
            }
        }

        private void BucketPixels()
        {
            var cellCount = _columns * _rows;
            Reserve(ref _pixelBucketStart, cellCount + 1);
            Reserve(ref _pixelCell, _pixelCount);
            Reserve(ref _pixelBucket, _pixelCount);
            var start = _pixelBucketStart;
            Array.Clear(start, 0, cellCount + 1);
            for (var p = 0; p < _pixelCount; p++)
            {
                _pixelCell[p] = (CellY(_pixelY[p]) * _columns) + CellX(_pixelX[p]);
                start[_pixelCell[p] + 1]++;
            }

            for (var c = 0; c < cellCount; c++)
            {
                start[c + 1] += start[c];
            }

            Array.Copy(start, _cellFill, cellCount);
            for (var p = 0; p < _pixelCount; p++)
            {
                _pixelBucket[_cellFill[_pixelCell[p]]++] = new PixelEntry(p, _pixelX[p], _pixelY[p]);
            }
        }

        /// <summary>Makes sure <paramref name="array"/> holds at least <paramref name="length"/> items, contents not kept.</summary>
        private static void Reserve<T>(ref T[] array, int length)
        {
            if (array.Length < length)
            {
                array = new T[length + (length / 4)];
            }
        }

        /// <summary>Makes the pixel of every proper crossing involving a new segment hot and nodes both segments there.</summary>
        private void FindCrossings()
        {
            var crossings = new List<Crossing>();
            Parallel.ForEach(Partitioner.Create(0, _segmentCount, ChunkSize(_segmentCount)), LoadParallelism.Options, () => new List<Crossing>(),
                (range, _, found) =>
                {
                    for (var s = range.Item1; s < range.Item2; s++)
                    {
                        if (_boxes[s].IsNew)
                        {
                            FindCrossings(_boxes[s], found);
                        }
                    }

                    return found;
                },
                found =>
                {
                    lock (crossings)
                    {
                        crossings.AddRange(found);
                    }
                });

            // Pixel ids are handed out in segment order, whatever the order the threads finished in.
            crossings.Sort((x, y) => x.Pair.CompareTo(y.Pair));
            foreach (var crossing in crossings)
            {
                var pixel = Pixel(crossing.X, crossing.Y);
                AddNode((int)(crossing.Pair >> 32), pixel);
                AddNode((int)(uint)crossing.Pair, pixel);
            }
        }

        /// <summary>
        /// Crossings of <paramref name="s"/> with the segments sharing a cell with it, each pair tested once: in the
        /// cell holding the lowest corner of the two envelopes' intersection, and by the lower id if both are new.
        /// </summary>
        private void FindCrossings(SegmentBox s, List<Crossing> found)
        {
            long minX = s.MinX, maxX = s.MaxX, minY = s.MinY, maxY = s.MaxY;
            int x1 = CellX(maxX), y1 = CellY(maxY);
            for (var cy = s.CellY; cy <= y1; cy++)
            {
                for (var cx = s.CellX; cx <= x1; cx++)
                {
                    var cell = (cy * _columns) + cx;
                    var end = _segmentBucketStart[cell + 1];
                    for (var k = _segmentBucketStart[cell]; k < end; k++)
                    {
                        ref readonly var t = ref _segmentBucket[k];
                        if ((t.IsNew && t.Id <= s.Id) || Math.Max(s.CellX, t.CellX) != cx || Math.Max(s.CellY, t.CellY) != cy
                            || t.MaxX < minX || t.MinX > maxX || t.MaxY < minY || t.MinY > maxY
                            || t.A == s.A || t.A == s.B || t.B == s.A || t.B == s.B)
                        {
                            continue;
                        }

                        if (ProperCrossing(s.Ax, s.Ay, s.Bx, s.By, t.Ax, t.Ay, t.Bx, t.By, out var px, out var py))
                        {
                            found.Add(new Crossing(((ulong)(uint)s.Id << 32) | (uint)t.Id, px, py));
                        }
                    }
                }
            }
        }

        private int Pixel(long x, long y)
        {
            var id = _pixelIds.GetOrAdd(((ulong)(uint)(int)x << 32) | (uint)(int)y);
            if (id == _pixelCount)
            {
                Put(ref _pixelX, id, x);
                Put(ref _pixelY, id, y);
                _pixelCount++;
            }

            return id;
        }

        private void AddNode(int segment, int pixel)
        {
            if (pixel != _segmentA[segment] && pixel != _segmentB[segment])
            {
                Put(ref _nodes, _nodeCount++, ((ulong)(uint)segment << 32) | (uint)pixel);
            }
        }

        /// <summary>Nodes every new segment at the hot pixels it passes through.</summary>
        private void SnapNewSegments()
        {
            var found = new List<ulong>();
            Parallel.ForEach(Partitioner.Create(0, _segmentCount, ChunkSize(_segmentCount)), LoadParallelism.Options, () => new List<ulong>(),
                (range, _, local) =>
                {
                    for (var s = range.Item1; s < range.Item2; s++)
                    {
                        if (_boxes[s].IsNew)
                        {
                            SnapNewSegment(_boxes[s], local);
                        }
                    }

                    return local;
                },
                local =>
                {
                    lock (found)
                    {
                        found.AddRange(local);
                    }
                });

            // Split sorts the nodes, so the order the threads finished in does not matter.
            foreach (var node in found)
            {
                Put(ref _nodes, _nodeCount++, node);
            }
        }

        private void SnapNewSegment(SegmentBox s, List<ulong> found)
        {
            long minX = s.MinX, maxX = s.MaxX, minY = s.MinY, maxY = s.MaxY;
            int x1 = CellX(maxX), y1 = CellY(maxY);
            for (var cy = s.CellY; cy <= y1; cy++)
            {
                for (var cx = s.CellX; cx <= x1; cx++)
                {
                    var cell = (cy * _columns) + cx;
                    var end = _pixelBucketStart[cell + 1];
                    for (var k = _pixelBucketStart[cell]; k < end; k++)
                    {
                        ref readonly var p = ref _pixelBucket[k];
                        if (p.X < minX || p.X > maxX || p.Y < minY || p.Y > maxY || p.Id == s.A || p.Id == s.B)
                        {
                            continue;
                        }

                        if (PassesThrough(s.Ax, s.Ay, s.Bx, s.By, p.X, p.Y))
                        {
                            found.Add(((ulong)(uint)s.Id << 32) | (uint)p.Id);
                        }
                    }
                }
            }
        }

        /// <summary>Nodes the segments of earlier passes at the pixels made hot in this one.</summary>
        private void SnapFreshPixels(int firstFreshPixel)
        {
            for (var p = firstFreshPixel; p < _pixelCount; p++)
            {
                long hx = _pixelX[p], hy = _pixelY[p];
                var cell = (CellY(hy) * _columns) + CellX(hx);
                for (var k = _segmentBucketStart[cell]; k < _segmentBucketStart[cell + 1]; k++)
                {
                    ref readonly var s = ref _segmentBucket[k];
                    if (s.IsNew || hx < s.MinX || hx > s.MaxX || hy < s.MinY || hy > s.MaxY)
                    {
                        continue;
                    }

                    if (PassesThrough(s.Ax, s.Ay, s.Bx, s.By, hx, hy))
                    {
                        AddNode(s.Id, p);
                    }
                }
            }
        }

        /// <summary>Replaces each noded segment by the path through its nodes; the pieces are the new segments.</summary>
        private void Split()
        {
            Array.Sort(_nodes, 0, _nodeCount);
            var newA = new int[_segmentCount + _nodeCount];
            var newB = new int[newA.Length];
            var newSource = new int[newA.Length];
            var newFlag = new bool[newA.Length];
            var count = 0;
            var order = new List<(Int128 Along, int Pixel)>();
            var k = 0;
            for (var s = 0; s < _segmentCount; s++)
            {
                if (k == _nodeCount || (int)(_nodes[k] >> 32) != s)
                {
                    newA[count] = _segmentA[s];
                    newB[count] = _segmentB[s];
                    newSource[count] = _segmentSource[s];
                    count++;
                    continue;
                }

                int a = _segmentA[s], b = _segmentB[s];
                long ax = _pixelX[a], ay = _pixelY[a], dx = _pixelX[b] - ax, dy = _pixelY[b] - ay;
                order.Clear();
                var previousPixel = -1;
                for (; k < _nodeCount && (int)(_nodes[k] >> 32) == s; k++)
                {
                    var pixel = (int)(uint)_nodes[k];
                    if (pixel != previousPixel)
                    {
                        order.Add((((Int128)dx * (_pixelX[pixel] - ax)) + ((Int128)dy * (_pixelY[pixel] - ay)), pixel));
                        previousPixel = pixel;
                    }
                }

                // Hot pixels strictly between the ends project strictly between them; ties (two pixels either side of
                // the segment at the same distance along it) are broken by pixel id, so the result is deterministic.
                order.Sort();
                var from = a;
                foreach (var (_, pixel) in order)
                {
                    newA[count] = from;
                    newB[count] = pixel;
                    newSource[count] = _segmentSource[s];
                    newFlag[count] = true;
                    count++;
                    from = pixel;
                }

                newA[count] = from;
                newB[count] = b;
                newSource[count] = _segmentSource[s];
                newFlag[count] = true;
                count++;
            }

            _segmentA = newA;
            _segmentB = newB;
            _segmentSource = newSource;
            _segmentNew = newFlag;
            _segmentCount = count;
        }

        /// <summary>Merges pieces with the same ends into edges and gathers the tags of their input segments.</summary>
        public NodedLinework Result(int[] occurrenceSegment, int[] occurrenceTag, int occurrenceCount, int inputCount)
        {
            var (tagStart, tags) = GroupBy(occurrenceSegment, occurrenceTag, occurrenceCount, inputCount);

            var edgeIds = new KeyIndex();
            var edgeOf = new int[_segmentCount];
            var edgeA = new List<int>();
            var edgeB = new List<int>();
            for (var s = 0; s < _segmentCount; s++)
            {
                var (lo, hi) = _segmentA[s] < _segmentB[s] ? (_segmentA[s], _segmentB[s]) : (_segmentB[s], _segmentA[s]);
                var edge = edgeIds.GetOrAdd(((ulong)(uint)lo << 32) | (uint)hi);
                if (edge == edgeA.Count)
                {
                    edgeA.Add(lo);
                    edgeB.Add(hi);
                }

                edgeOf[s] = edge;
            }

            var edgeCount = edgeA.Count;
            var start = new int[edgeCount + 1];
            for (var s = 0; s < _segmentCount; s++)
            {
                var source = _segmentSource[s];
                start[edgeOf[s] + 1] += tagStart[source + 1] - tagStart[source];
            }

            for (var e = 0; e < edgeCount; e++)
            {
                start[e + 1] += start[e];
            }

            var edgeTags = new int[start[^1]];
            var fill = start[..^1];
            for (var s = 0; s < _segmentCount; s++)
            {
                var source = _segmentSource[s];
                var length = tagStart[source + 1] - tagStart[source];
                tags.AsSpan(tagStart[source], length).CopyTo(edgeTags.AsSpan(fill[edgeOf[s]]));
                fill[edgeOf[s]] += length;
            }

            return new NodedLinework(_pixelX[.._pixelCount], _pixelY[.._pixelCount], [.. edgeA], [.. edgeB], start, edgeTags);
        }

        /// <summary>Counting sort of <paramref name="values"/> by <paramref name="keys"/>, stable, as compressed rows.</summary>
        private static (int[] Start, int[] Items) GroupBy(int[] keys, int[] values, int count, int keyCount)
        {
            var start = new int[keyCount + 1];
            for (var i = 0; i < count; i++)
            {
                start[keys[i] + 1]++;
            }

            for (var k = 0; k < keyCount; k++)
            {
                start[k + 1] += start[k];
            }

            var items = new int[count];
            var fill = start[..^1];
            for (var i = 0; i < count; i++)
            {
                items[fill[keys[i]]++] = values[i];
            }

            return (start, items);
        }
    }

    /// <summary>
    /// Whether segment a-b (grid integers) meets the half-open unit pixel centred on grid point h, which the caller
    /// has checked lies in the segment's envelope. The pixel's corners lie on either side of the segment's line by
    /// 2·cross(b - a, h - a) ± dx ± dy (doubled units); the segment misses the pixel when all four have one sign, and
    /// when it only grazes a corner it meets the pixel only if that corner is the bottom-left one.
    /// </summary>
    internal static bool PassesThrough(long ax, long ay, long bx, long by, long hx, long hy)
    {
        long dx = bx - ax, dy = by - ay;
        var spread = Math.Abs(dx) + Math.Abs(dy);
        if (Math.Abs(dx) < ShortSegment && Math.Abs(dy) < ShortSegment)
        {
            // |h - a| <= |b - a| < 2^29 inside the envelope, so the doubled cross product stays below 2^61.
            var side = 2 * ((dx * (hy - ay)) - (dy * (hx - ax)));
            var magnitude = Math.Abs(side);
            return magnitude < spread || (magnitude == spread && side == dx - dy);
        }

        var wideSide = 2 * (((Int128)dx * (hy - ay)) - ((Int128)dy * (hx - ax)));
        var wideMagnitude = Int128.Abs(wideSide);
        return wideMagnitude < spread || (wideMagnitude == spread && wideSide == dx - dy);
    }

    /// <summary>
    /// Whether segments a-b and c-d cross at a single point interior to both, and the pixel of that point. Touching
    /// at an end and collinear overlaps are not crossings: their pixels are already hot (they hold a vertex).
    /// </summary>
    internal static bool ProperCrossing(long ax, long ay, long bx, long by, long cx, long cy, long dx, long dy,
        out long px, out long py)
    {
        px = py = 0;
        if (Side(ax, ay, bx, by, cx, cy) * Side(ax, ay, bx, by, dx, dy) >= 0
            || Side(cx, cy, dx, dy, ax, ay) * Side(cx, cy, dx, dy, bx, by) >= 0)
        {
            return false;
        }

        // a + (b - a)·t with t = cross(d - c, a - c) / (cross(d - c, a - c) - cross(d - c, b - c)), rounded exactly.
        var sideA = Cross128(cx, cy, dx, dy, ax, ay);
        var denominator = sideA - Cross128(cx, cy, dx, dy, bx, by);
        px = RoundQuotient(((Int128)ax * denominator) + ((Int128)(bx - ax) * sideA), denominator);
        py = RoundQuotient(((Int128)ay * denominator) + ((Int128)(by - ay) * sideA), denominator);
        return true;
    }

    /// <summary>Sign of cross(b - a, p - a): which side of line a-b point p lies on.</summary>
    private static int Side(long ax, long ay, long bx, long by, long px, long py)
    {
        long ux = bx - ax, uy = by - ay, vx = px - ax, vy = py - ay;
        if (Math.Abs(ux) < ShortSegment && Math.Abs(uy) < ShortSegment
            && Math.Abs(vx) < 2 * ShortSegment && Math.Abs(vy) < 2 * ShortSegment)
        {
            return Math.Sign((ux * vy) - (uy * vx));
        }

        return Int128.Sign(((Int128)ux * vy) - ((Int128)uy * vx));
    }

    private static Int128 Cross128(long ax, long ay, long bx, long by, long px, long py) =>
        ((Int128)(bx - ax) * (py - ay)) - ((Int128)(by - ay) * (px - ax));

    /// <summary>floor(numerator / denominator + 1/2): the pixel of a rational coordinate.</summary>
    private static long RoundQuotient(Int128 numerator, Int128 denominator)
    {
        if (denominator < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        var twice = (2 * numerator) + denominator;
        var divisor = 2 * denominator;
        var quotient = twice / divisor;
        if (twice % divisor != 0 && twice < 0)
        {
            quotient--;
        }

        return (long)quotient;
    }

    /// <summary>
    /// Open-addressing map from 64-bit keys to dense ids 0, 1, 2... in insertion order (packed grid points or
    /// point-id pairs); Fibonacci hashing spreads neighbouring grid points, which a plain xor of halves does not.
    /// </summary>
    private sealed class KeyIndex
    {
        private ulong[] _keys = new ulong[1024];
        private int[] _ids = new int[1024];
        private int _shift = 64 - 10;

        public int Count { get; private set; }

        /// <summary>The id of <paramref name="key"/>, adding it with id <see cref="Count"/> if absent.</summary>
        public int GetOrAdd(ulong key)
        {
            var mask = _keys.Length - 1;
            var slot = (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
            while (_ids[slot] != 0)
            {
                if (_keys[slot] == key)
                {
                    return _ids[slot] - 1;
                }

                slot = (slot + 1) & mask;
            }

            _keys[slot] = key;
            _ids[slot] = ++Count;
            if (2 * Count > _keys.Length)
            {
                Grow();
            }

            return Count - 1;
        }

        public KeyIndex Clone()
        {
            var copy = new KeyIndex { _keys = (ulong[])_keys.Clone(), _ids = (int[])_ids.Clone(), _shift = _shift };
            copy.Count = Count;
            return copy;
        }

        private void Grow()
        {
            var oldKeys = _keys;
            var oldIds = _ids;
            _keys = new ulong[2 * oldKeys.Length];
            _ids = new int[2 * oldKeys.Length];
            _shift--;
            var mask = _keys.Length - 1;
            for (var i = 0; i < oldKeys.Length; i++)
            {
                if (oldIds[i] == 0)
                {
                    continue;
                }

                var slot = (int)((oldKeys[i] * 0x9E3779B97F4A7C15UL) >> _shift);
                while (_ids[slot] != 0)
                {
                    slot = (slot + 1) & mask;
                }

                _keys[slot] = oldKeys[i];
                _ids[slot] = oldIds[i];
            }
        }
    }
}
