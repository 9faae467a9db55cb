using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;
using TileServer.Core.Model;

namespace TileServer.Core.Tiles;

/// <summary>
/// Builds the <c>poverty</c> vector tileset (<see cref="Tileset"/>): layers <c>departments</c>, <c>provinces</c>,
/// <c>districts</c> (code, name, parent codes, numeric estimates, numeric feature id) and <c>labels</c> (one point per
/// unit), every tile from z0 to <see cref="TilesOptions.MaxZoom"/> that has features, Mapbox Vector Tile 2.1.
/// </summary>
/// <remarks>
/// <para>Simplification: the districts (a clean coverage) are ranked once with <see cref="CoverageChainSimplifier"/>
/// (topology-preserving Visvalingam-Whyatt over the shared edge chains, the algorithm of NTS CoverageSimplifier,
/// which took longer than all the tiles when run per zoom) in Web Mercator metres; each zoom keeps the vertices above
/// its tolerance (<see cref="TilesOptions.SimplifyTolerance"/> extent units at that zoom), and provinces and
/// departments shown at a zoom are dissolved from that zoom's districts with <see cref="CoverageDissolver"/>. So the
/// three levels share borders exactly at every zoom and neighbours stay free of gaps and overlaps. A layer served as
/// published (cleaning off) is not a coverage: each unit is then simplified on its own (NTS Douglas-Peucker, repaired
/// with GeometryFixer when that makes it invalid), and cracks between neighbours are possible.</para>
/// <para>Tiles: <see cref="PolygonTileClipper"/> clips every polygon part whose envelope reaches a tile (plus
/// <see cref="TilesOptions.Buffer"/>) and quantises it to valid MVT rings. Everything after the projection runs as
/// one pipeline (a work queue, one worker per core): the ranking reports each zoom's tolerance as soon as it has
/// passed it (the finest first), that zoom's coverage is then rebuilt and its tiles clipped while the ranking goes on
/// to the coarser zooms; once a zoom's tiles are clipped, its vanished units get their squares, and its tiles are
/// encoded and gzipped. Build time steps (<see cref="TilesetStatistics.StepsMs"/>): <c>simplify</c> is the
/// ranking thread's time, which overlaps <c>tiles</c>, the whole pipeline.</para>
/// <para>Tiny units never vanish: a unit whose polygon collapses everywhere at a zoom (smaller than a tile unit) is
/// written as a one-unit square at its anchor point (NTS InteriorPoint) in the tile holding that point; and every
/// unit has its label point (pole of inaccessibility, NTS <see cref="MaximumInscribedCircle"/>) in the <c>labels</c>
/// layer at the zooms of its own layer.</para>
/// <para>Text columns of the estimates (Peru: the names again) are left out; missing numbers are left out of the
/// feature, never zero. Thread safety: stateless.</para>
/// </remarks>
public static class TilesetBuilder
{
    public const string TilesetName = "poverty";

    private static readonly string[] LayerNames = ["departments", "provinces", "districts"];
    private static readonly string[] LevelNames = ["department", "province", "district"];
    private static readonly string[] LabelKeys = ["level", "code", "name"];
    private const int Levels = 3;

    /// <summary>Builds the tileset of a dataset snapshot's three levels.</summary>
    /// <param name="parents">The parent index of the three layers.</param>
    /// <param name="isCoverage">True when the districts form a clean coverage (the loader's cleaning is on).</param>
    public static Tileset Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ParentIndex parents, string version, bool isCoverage, TilesOptions options)
    {
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(provinces);
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(options));
        }

        var total = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var steps = new Dictionary<string, long>(StringComparer.Ordinal);
        var layers = new[] { departments, provinces, districts };
        var layerOptions = new[] { options.Departments, options.Provinces, options.Districts };
        var levels = new LevelData[Levels];
        for (var l = 0; l < Levels; l++)
        {
            levels[l] = LevelData.Create(layers[l], l, layerOptions[l], options);
        }

        if (options.Labels)
        {
            Parallel.For(0, Levels, l => levels[l].ComputeLabelPoints());
        }

        steps["labelPoints"] = clock.ElapsedMilliseconds;
        clock.Restart();

        var zooms = Enumerable.Range(0, options.MaxZoom + 1)
            .Reverse()
            .Select(z => (Zoom: z, Active: Enumerable.Range(0, Levels).Where(l => levels[l].Options.Covers(z)).ToArray()))
            .Where(z => z.Active.Length > 0)
            .ToArray();
        // One pipeline: a zoom's tiles are clipped as soon as its coverage is final (the ranking reaches the fine
        // zooms first, and their thousands of tiles keep the other cores busy while it goes on to the coarse ones);
        // once a zoom's tiles are clipped, its vanished units get their squares, then its tiles are encoded.
        var builds = new ZoomBuild[zooms.Length];
        var encodings = new ZoomEncoding[zooms.Length];
        var tiles = new ConcurrentBag<KeyValuePair<TileId, EncodedTile>>();
        var collapsed = 0;
        var pipeline = new TilePipeline();
        var simplifyMs = 0L;
        var fallbacks = pipeline.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            ProduceZooms(zooms, layers, levels, parents, isCoverage, options, (i, geometries) => pipeline.Post(
                _ =>
                {
                    // Coarser zooms first: their few tiles hold the most and would otherwise finish last.
                    var zoom = zooms[i].Zoom;
                    var build = builds[i] = new ZoomBuild(zoom, options, levels, geometries(), zooms[i].Active);
                    pipeline.ForAll(build.Work, zoom, (worker, tile) => build.Clip(tile, worker.Clipper, worker.Commands), () =>
                    {
                        Interlocked.Add(ref collapsed, build.KeepCollapsedUnits());
                        build.PlaceLabels();
                        var encoding = encodings[i] = new ZoomEncoding(build);
                        pipeline.ForAll(build.Work, zoom, (worker, tile) => encoding.Add(worker.Encoder.Encode(tile, levels, build.Active, options), tile, tiles), () => { });
                    });
                },
                TilePipeline.Urgent));
            simplifyMs = watch.ElapsedMilliseconds;
        });
        steps["simplify"] = simplifyMs;
        steps["tiles"] = clock.ElapsedMilliseconds;
        var zoomStats = encodings.Select(e => e.Statistics()).ToList();
        zoomStats.Reverse();
        var all = tiles.ToArray();
        var largest = all.Length == 0 ? default : all.MaxBy(t => t.Value.Mvt.Length);
        var statistics = new TilesetStatistics(
            all.Length,
            all.Sum(t => (long)t.Value.Mvt.Length),
            all.Sum(t => (long)t.Value.Gzip.Length),
            largest.Value?.Mvt.Length ?? 0,
            largest.Value is null ? string.Empty : largest.Key.ToString(),
            collapsed,
            fallbacks,
            total.ElapsedMilliseconds,
            steps,
            zoomStats);
        return new Tileset(Info(levels, districts, version, options), all, statistics);
    }

    /// <summary>
    /// Hands each zoom's geometries per active level to <paramref name="ready"/> (zoom index in
    /// <paramref name="zooms"/>, and a function computing them) as soon as they are final. A coverage is ranked once
    /// (<see cref="CoverageChainSimplifier"/>), each zoom being ready when the ranking passes its tolerance; coarser
    /// levels are dissolved from the simplified districts, so all levels share their borders.
    /// </summary>
    private static void ProduceZooms((int Zoom, int[] Active)[] zooms, AdminLayer[] layers, LevelData[] levels, ParentIndex parents, bool isCoverage, TilesOptions options, Action<int, Func<Geometry[][]>> ready)
    {
        if (zooms.Length == 0)
        {
            return;
        }

        double Tolerance(int z) => options.SimplifyTolerance * WebMercator.TileSize(z) / options.Extent;
        if (isCoverage)
        {
            var finest = Levels - 1;
            var coverage = new Geometry[layers[finest].Units.Count];
            Parallel.For(0, coverage.Length, u => coverage[u] = ToMercator(layers[finest].Units[u].Geometry));
            Geometry[][] Levelled(int i, Geometry[] simplified)
            {
                var geometries = new Geometry[Levels][];
                foreach (var l in zooms[i].Active)
                {
                    geometries[l] = l == finest ? simplified : Dissolve(simplified, finest, l, levels, parents);
                }

                return geometries;
            }

            var largest = Tolerance(zooms.Min(z => z.Zoom));
            if (largest <= 0)
            {
                for (var i = 0; i < zooms.Length; i++)
                {
                    var index = i;
                    ready(index, () => Levelled(index, coverage));
                }

                return;
            }

            var tolerances = zooms.Select(z => Tolerance(z.Zoom)).ToArray();
            _ = new CoverageChainSimplifier(coverage, largest, tolerances, (simplifier, tolerance) =>
            {
                for (var i = 0; i < zooms.Length; i++)
                {
                    if (tolerances[i] == tolerance)
                    {
                        var index = i;
                        ready(index, () => Levelled(index, simplifier.Simplify(tolerance)));
                    }
                }
            });
            return;
        }

        var originals = new Geometry[Levels][];
        foreach (var l in zooms.SelectMany(z => z.Active).Distinct())
        {
            originals[l] = [.. layers[l].Units.Select(u => ToMercator(u.Geometry))];
        }

        for (var i = 0; i < zooms.Length; i++)
        {
            var (zoom, active) = zooms[i];
            ready(i, () =>
            {
                var geometries = new Geometry[Levels][];
                foreach (var l in active)
                {
                    geometries[l] = [.. originals[l].Select(g => SimplifyAlone(g, Tolerance(zoom)))];
                }

                return geometries;
            });
        }
    }

    /// <summary>
    /// A work queue with one worker per core: items post further items (a zoom posts its tiles), and the queue ends
    /// when the producer and every posted item are done. A failing item fails the build, after the others finish.
    /// </summary>
    private sealed class TilePipeline
    {
        /// <summary>The priority of steps that start further work (a zoom's preparation, its finishing steps).</summary>
        public const int Urgent = int.MinValue;

        private readonly PriorityQueue<Action<TileWorker>, (int Priority, long Order)> _queue = new();
        private readonly ConcurrentQueue<Exception> _errors = new();
        private long _order;
        private int _outstanding = 1;
        private bool _completed;

        /// <summary>Queues an item; lower priorities run first, then in the order posted.</summary>
        public void Post(Action<TileWorker> item, int priority)
        {
            Interlocked.Increment(ref _outstanding);
            lock (_queue)
            {
                _queue.Enqueue(item, (priority, _order++));
                Monitor.Pulse(_queue);
            }
        }

        /// <summary>Posts one item per element at <paramref name="priority"/>, and <paramref name="then"/> (urgent) once the last of them is done.</summary>
        public void ForAll<T>(IReadOnlyList<T> elements, int priority, Action<TileWorker, T> each, Action then)
        {
            if (elements.Count == 0)
            {
                Post(_ => then(), Urgent);
                return;
            }

            var left = elements.Count;
            foreach (var element in elements)
            {
                Post(
                    worker =>
                    {
                        each(worker, element);
                        if (Interlocked.Decrement(ref left) == 0)
                        {
                            Post(_ => then(), Urgent);
                        }
                    },
                    priority);
            }
        }

        /// <summary>Runs <paramref name="producer"/> on this thread while the workers take the queue; returns the overlay fallbacks.</summary>
        public int Run(Action producer)
        {
            var workers = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    var worker = new TileWorker();
                    while (Take() is { } item)
                    {
                        Attempt(() => item(worker));
                    }

                    return worker.Clipper.Fallbacks;
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();
            Attempt(producer);
            var fallbacks = Task.WhenAll(workers).GetAwaiter().GetResult().Sum();
            return _errors.IsEmpty ? fallbacks : throw new AggregateException(_errors);
        }

        private Action<TileWorker>? Take()
        {
            lock (_queue)
            {
                while (true)
                {
                    if (_queue.TryDequeue(out var item, out _))
                    {
                        return item;
                    }

                    if (_completed)
                    {
                        return null;
                    }

                    Monitor.Wait(_queue);
                }
            }
        }

        private void Attempt(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _errors.Enqueue(e);
            }
            finally
            {
                if (Interlocked.Decrement(ref _outstanding) == 0)
                {
                    lock (_queue)
                    {
                        _completed = true;
                        Monitor.PulseAll(_queue);
                    }
                }
            }
        }
    }

    /// <summary>One pipeline worker's clipping and encoding buffers.</summary>
    private sealed class TileWorker
    {
        public PolygonTileClipper Clipper { get; } = new();

        public GeometryCommands Commands { get; } = new();

        public Encoder Encoder { get; } = new();
    }

    private static Geometry SimplifyAlone(Geometry geometry, double tolerance)
    {
        if (tolerance <= 0)
        {
            return geometry;
        }

        var simplified = DouglasPeuckerSimplifier.Simplify(geometry, tolerance);
        return simplified.IsValid ? simplified : NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(simplified);
    }

    private static TilesetInfo Info(LevelData[] levels, AdminLayer districts, string version, TilesOptions options)
    {
        var vectorLayers = new List<VectorLayerInfo>();
        foreach (var level in levels.Where(l => l.Options.Enabled))
        {
            vectorLayers.Add(new VectorLayerInfo(
                LayerNames[level.Index],
                $"{LevelNames[level.Index]} polygons: code, name, parent codes and the numeric estimates (missing values left out)",
                level.Options.MinZoom,
                Math.Min(level.Options.MaxZoom, options.MaxZoom),
                level.Fields));
        }

        var enabled = levels.Where(l => l.Options.Enabled).ToArray();
        if (options.Labels && enabled.Length > 0)
        {
            vectorLayers.Add(new VectorLayerInfo(
                "labels",
                "one point per unit inside it (pole of inaccessibility), at the zooms of the unit's layer",
                enabled.Min(l => l.Options.MinZoom),
                Math.Min(enabled.Max(l => l.Options.MaxZoom), options.MaxZoom),
                new Dictionary<string, string>(StringComparer.Ordinal) { ["level"] = "String", ["code"] = "String", ["name"] = "String" }));
        }

        var envelope = new Envelope();
        foreach (var unit in districts.Units)
        {
            envelope.ExpandToInclude(unit.Geometry.EnvelopeInternal);
        }

        // On the 1e-7 degree grid PMTiles headers store (about a centimetre), bounds rounded outwards, so that the
        // TileJSON of an archive the server exported and then serves (Tiles:Source) is the same document.
        static double E7(double degrees) => Math.Round(degrees * 1e7) / 1e7;
        double[] bounds = envelope.IsNull
            ? [-180, -85.0511, 180, 85.0511]
            : [Math.Floor(envelope.MinX * 1e7) / 1e7, Math.Floor(envelope.MinY * 1e7) / 1e7, Math.Ceiling(envelope.MaxX * 1e7) / 1e7, Math.Ceiling(envelope.MaxY * 1e7) / 1e7];
        var span = Math.Max(bounds[2] - bounds[0], bounds[3] - bounds[1]);
        var centerZoom = span <= 0 ? options.MaxZoom : Math.Clamp((int)Math.Floor(Math.Log2(360 / span)), 0, options.MaxZoom);
        return new TilesetInfo(
            TilesetName,
            "District poverty estimates with provinces and departments, gap-free at every zoom",
            options.Attribution,
            version,
            enabled.Length == 0 ? 0 : enabled.Min(l => l.Options.MinZoom),
            options.MaxZoom,
            bounds,
            [E7((bounds[0] + bounds[2]) / 2), E7((bounds[1] + bounds[3]) / 2), centerZoom],
            vectorLayers);
    }

    /// <summary>For each level, the index of each unit's unit in every coarser level.</summary>
    private static Geometry[] Dissolve(Geometry[] fine, int fineLevel, int coarseLevel, LevelData[] levels, ParentIndex parents)
    {
        var map = parents.Of((AdminLevel)fineLevel, (AdminLevel)coarseLevel);
        var coarse = levels[coarseLevel].Layer.Units;
        var keys = new string[map.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = coarse[map[i]].Code;
        }

        var dissolved = CoverageDissolver.Dissolve(fine, keys).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return [.. coarse.Select(u => dissolved.TryGetValue(u.Code, out var g) ? g : ToMercator(u.Geometry))];
    }

    internal static Geometry ToMercator(Geometry geometry) => ProjectedCopy.Of(geometry, WebMercator.X, WebMercator.Y);

    /// <summary>One administrative level as a tile layer: its units' attributes, ids and label points.</summary>
    private sealed class LevelData
    {
        public required int Index { get; init; }

        public required AdminLayer Layer { get; init; }

        public required TileLayerOptions Options { get; init; }

        public required string[] Keys { get; init; }

        public required FeatureProperty[][] Properties { get; init; }

        public required FeatureProperty[][] LabelProperties { get; init; }

        public required ulong?[] Ids { get; init; }

        public required IReadOnlyDictionary<string, string> Fields { get; init; }

        private (double X, double Y)[] _labels = [];

        /// <summary>Units with a label point: all of the layer's when the labels layer is on, else none.</summary>
        public int LabelCount => _labels.Length;

        public static LevelData Create(AdminLayer layer, int index, TileLayerOptions layerOptions, TilesOptions options)
        {
            var keys = new List<string> { "code", "name" };
            var fields = new Dictionary<string, string>(StringComparer.Ordinal) { ["code"] = "String", ["name"] = "String" };
            if (!options.Attributes)
            {
                keys.RemoveAt(1);
                fields.Remove("name");
            }
            else if (index == (int)AdminLevel.District)
            {
                keys.Add("province");
                fields["province"] = "String";
            }

            if (options.Attributes && index != (int)AdminLevel.Department)
            {
                keys.Add("department");
                fields["department"] = "String";
            }

            var columns = new List<(int Column, int Key)>();
            for (var c = 0; c < (options.Attributes ? layer.Columns.Count : 0); c++)
            {
                if (layer.Columns[c].Kind == ColumnKind.Number && !keys.Contains(layer.Columns[c].Name, StringComparer.Ordinal))
                {
                    columns.Add((c, keys.Count));
                    keys.Add(layer.Columns[c].Name);
                    fields[layer.Columns[c].Name] = "Number";
                }
            }

            var properties = new FeatureProperty[layer.Units.Count][];
            var labels = new FeatureProperty[layer.Units.Count][];
            var ids = new ulong?[layer.Units.Count];
            for (var u = 0; u < layer.Units.Count; u++)
            {
                var unit = layer.Units[u];
                ids[u] = ulong.TryParse(unit.Code, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;
                var list = new List<FeatureProperty>();
                if (options.Attributes || ids[u] is null)
                {
                    list.Add(new(0, unit.Code, 0));
                }

                if (options.Attributes)
                {
                    list.Add(new(1, unit.Name, 0));
                }

                if (options.Attributes && index == (int)AdminLevel.District && unit.ProvinceCode is { } province)
                {
                    list.Add(new(keys.IndexOf("province"), province, 0));
                }

                if (options.Attributes && index != (int)AdminLevel.Department && unit.DepartmentCode is { } department)
                {
                    list.Add(new(keys.IndexOf("department"), department, 0));
                }

                foreach (var (column, key) in columns)
                {
                    if (column < unit.Values.Count && unit.Values[column] is double value && double.IsFinite(value))
                    {
                        list.Add(new(key, null, value));
                    }
                }

                properties[u] = [.. list];
                labels[u] = [new(0, LevelNames[index], 0), new(1, unit.Code, 0), new(2, unit.Name, 0)];
            }

            return new LevelData
            {
                Index = index,
                Layer = layer,
                Options = new TileLayerOptions { Enabled = layerOptions.Enabled, MinZoom = layerOptions.MinZoom, MaxZoom = Math.Min(layerOptions.MaxZoom, options.MaxZoom) },
                Keys = [.. keys],
                Properties = properties,
                LabelProperties = labels,
                Ids = ids,
                Fields = fields,
            };
        }

        /// <summary>Computes every unit's label point (the labels layer is on).</summary>
        public void ComputeLabelPoints()
        {
            _labels = new (double X, double Y)[Options.Enabled ? Layer.Units.Count : 0];
            Parallel.For(0, _labels.Length, u => _labels[u] = ToMercator(LabelPoint(Layer.Units[u].Geometry)));
        }

        /// <summary>The unit's label point in Web Mercator metres.</summary>
        public (double X, double Y) Label(int unit) => _labels[unit];

        /// <summary>
        /// Where the unit's square goes when it collapses: NTS InteriorPoint, in Web Mercator metres. Any point inside
        /// will do for a square smaller than a pixel, and the pole of inaccessibility cost more than all the other
        /// work of the coarse zooms.
        /// </summary>
        public (double X, double Y) Anchor(int unit)
        {
            var geometry = Layer.Units[unit].Geometry;
            return ToMercator(geometry.IsEmpty ? new Coordinate(0, 0) : geometry.InteriorPoint.Coordinate);
        }

        private static (double X, double Y) ToMercator(Coordinate point) => (WebMercator.X(point.X), WebMercator.Y(point.Y));
    }

    /// <summary>
    /// The pole of inaccessibility to 1% of the unit's size, searched on a copy simplified to half that (ten times
    /// faster on Peru's departments); a centre that falls outside the exact geometry is replaced by NTS InteriorPoint.
    /// </summary>
    private static Coordinate LabelPoint(Geometry geometry)
    {
        if (geometry.IsEmpty)
        {
            return new Coordinate(0, 0);
        }

        var envelope = geometry.EnvelopeInternal;
        var tolerance = Math.Max(Math.Max(envelope.Width, envelope.Height) / 100, 1e-7);
        if (geometry.Area > 0)
        {
            var coarse = DouglasPeuckerSimplifier.Simplify(geometry, tolerance / 2);
            if (!coarse.IsEmpty && coarse.Area > 0)
            {
                var centre = MaximumInscribedCircle.GetCenter(coarse, tolerance);
                if (geometry.Contains(centre))
                {
                    return centre.Coordinate;
                }
            }
        }

        return geometry.InteriorPoint.Coordinate;
    }

    /// <summary>A tile being built: candidate units per level, clipped features, labels.</summary>
    private sealed class TileWork(int x, int y)
    {
        public int X { get; } = x;

        public int Y { get; } = y;

        /// <summary>False while the tile only has candidates whose envelope reaches its buffer, not the tile itself.</summary>
        public bool HasCore { get; set; }

        public List<int>[] Candidates { get; } = [[], [], []];

        public List<(int Unit, uint[] Geometry)>[] Features { get; } = [[], [], []];

        public List<(int Level, int Unit, int X, int Y)> Labels { get; } = [];
    }

    /// <summary>Everything done at one zoom: candidates, clipping, tiny units, labels, encoding.</summary>
    private sealed class ZoomBuild
    {
        private readonly int _zoom;
        private readonly TilesOptions _options;
        private readonly LevelData[] _levels;
        private readonly Geometry[][] _geometries;
        private readonly Dictionary<long, TileWork> _tiles = [];
        private readonly bool[][] _emitted;
        private readonly double _size;

        public ZoomBuild(int zoom, TilesOptions options, LevelData[] levels, Geometry[][] geometries, int[] active)
        {
            _zoom = zoom;
            _options = options;
            _levels = levels;
            _geometries = geometries;
            Active = active;
            _size = WebMercator.TileSize(zoom);
            _emitted = [.. levels.Select(l => new bool[l.Layer.Units.Count])];
            var buffer = options.Buffer * _size / options.Extent;
            foreach (var l in active)
            {
                var units = geometries[l];
                for (var u = 0; u < units.Length; u++)
                {
                    for (var p = 0; p < units[u].NumGeometries; p++)
                    {
                        var envelope = units[u].GetGeometryN(p).EnvelopeInternal;
                        if (envelope.IsNull)
                        {
                            continue;
                        }

                        var (x0, y0, x1, y1) = Range(envelope, buffer);
                        var (cx0, cy0, cx1, cy1) = Range(envelope, 0);
                        for (var x = x0; x <= x1; x++)
                        {
                            for (var y = y0; y <= y1; y++)
                            {
                                var tile = Tile(x, y);
                                var list = tile.Candidates[l];
                                if (list.Count == 0 || list[^1] != u)
                                {
                                    list.Add(u);
                                }

                                tile.HasCore |= x >= cx0 && x <= cx1 && y >= cy0 && y <= cy1;
                            }
                        }
                    }
                }
            }

            Work = [.. _tiles.Values.Where(t => t.HasCore)];
        }

        public int Zoom => _zoom;

        public int[] Active { get; }

        /// <summary>The tiles that have something in them (not only in their buffer); set once candidates are known.</summary>
        public TileWork[] Work { get; private set; } = [];

        private (int X0, int Y0, int X1, int Y1) Range(Envelope envelope, double margin)
        {
            var n = (1 << _zoom) - 1;
            return (
                Math.Clamp((int)Math.Floor((envelope.MinX - margin + WebMercator.HalfWorld) / _size), 0, n),
                Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - envelope.MaxY - margin) / _size), 0, n),
                Math.Clamp((int)Math.Floor((envelope.MaxX + margin + WebMercator.HalfWorld) / _size), 0, n),
                Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - envelope.MinY + margin) / _size), 0, n));
        }

        private TileWork Tile(int x, int y)
        {
            var key = ((long)x << 32) | (uint)y;
            if (!_tiles.TryGetValue(key, out var tile))
            {
                tile = _tiles[key] = new TileWork(x, y);
            }

            return tile;
        }

        public void Clip(TileWork tile, PolygonTileClipper clipper, GeometryCommands commands)
        {
            clipper.SetTile(_zoom, tile.X, tile.Y, _options.Extent, _options.Buffer);
            foreach (var l in Active)
            {
                tile.Features[l].Capacity = tile.Candidates[l].Count;
                foreach (var u in tile.Candidates[l])
                {
                    commands.Reset();
                    if (clipper.Clip(_geometries[l][u], commands) > 0)
                    {
                        tile.Features[l].Add((u, commands.Written.ToArray()));
                        _emitted[l][u] = true;
                    }
                }
            }
        }

        /// <summary>The tiny-unit rule: a unit that vanished from every tile is kept as a one-unit square at its anchor point.</summary>
        public int KeepCollapsedUnits()
        {
            var kept = 0;
            var commands = new GeometryCommands();
            Span<int> square = stackalloc int[8];
            foreach (var l in Active)
            {
                for (var u = 0; u < _emitted[l].Length; u++)
                {
                    if (_emitted[l][u])
                    {
                        continue;
                    }

                    var (tile, px, py) = Locate(_levels[l].Anchor(u));
                    px = Math.Min(px, _options.Extent - 1);
                    py = Math.Min(py, _options.Extent - 1);
                    square[0] = px;
                    square[1] = py;
                    square[2] = px + 1;
                    square[3] = py;
                    square[4] = px + 1;
                    square[5] = py + 1;
                    square[6] = px;
                    square[7] = py + 1;
                    commands.Reset();
                    commands.AddRing(square);
                    tile.Features[l].Add((u, commands.Written.ToArray()));
                    kept++;
                }
            }

            return kept;
        }

        /// <summary>Places the label points (when on), then takes in the tiles that labels and collapsed units added.</summary>
        public void PlaceLabels()
        {
            if (_options.Labels)
            {
                foreach (var l in Active)
                {
                    for (var u = 0; u < _levels[l].LabelCount; u++)
                    {
                        var (tile, px, py) = Locate(_levels[l].Label(u));
                        tile.Labels.Add((l, u, px, py));
                    }
                }
            }

            Work = [.. _tiles.Values.Where(t => t.HasCore)];
        }

        private (TileWork Tile, int X, int Y) Locate((double X, double Y) point)
        {
            var (mx, my) = point;
            var n = (1 << _zoom) - 1;
            var x = Math.Clamp((int)Math.Floor((mx + WebMercator.HalfWorld) / _size), 0, n);
            var y = Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - my) / _size), 0, n);
            var tile = Tile(x, y);
            tile.HasCore = true;
            var scale = _options.Extent / _size;
            var px = (int)Math.Floor((mx - WebMercator.TileWest(_zoom, x)) * scale);
            var py = (int)Math.Floor((WebMercator.TileNorth(_zoom, y) - my) * scale);
            return (tile, Math.Clamp(px, 0, _options.Extent), Math.Clamp(py, 0, _options.Extent));
        }
    }

    /// <summary>One zoom's encoded tiles: counts and sizes, added from any worker.</summary>
    private sealed class ZoomEncoding(ZoomBuild build)
    {
        private long _mvtBytes;
        private long _gzipBytes;
        private int _count;
        private int _largest;

        public ZoomBuild Build { get; } = build;

        public void Add(EncodedTile? encoded, TileWork tile, ConcurrentBag<KeyValuePair<TileId, EncodedTile>> output)
        {
            if (encoded is null)
            {
                return;
            }

            output.Add(new KeyValuePair<TileId, EncodedTile>(new TileId(Build.Zoom, tile.X, tile.Y), encoded));
            Interlocked.Add(ref _mvtBytes, encoded.Mvt.Length);
            Interlocked.Add(ref _gzipBytes, encoded.Gzip.Length);
            Interlocked.Increment(ref _count);
            int seen;
            while ((seen = Volatile.Read(ref _largest)) < encoded.Mvt.Length && Interlocked.CompareExchange(ref _largest, encoded.Mvt.Length, seen) != seen)
            {
            }
        }

        public ZoomStatistics Statistics() => new(Build.Zoom, _count, _mvtBytes, _gzipBytes, _largest);
    }

    /// <summary>Per-worker encoding buffers.</summary>
    private sealed class Encoder
    {
        private readonly ProtoBuffer _tile = new();
        private readonly ProtoBuffer _scratch = new();
        private readonly MvtLayerWriter _layer = new();
        private readonly GeometryCommands _point = new();

        public EncodedTile? Encode(TileWork tile, LevelData[] levels, int[] active, TilesOptions options)
        {
            _tile.Clear();
            foreach (var l in active)
            {
                if (tile.Features[l].Count == 0)
                {
                    continue;
                }

                _layer.Reset();
                var level = levels[l];
                foreach (var (unit, geometry) in tile.Features[l])
                {
                    _layer.AddFeature(level.Ids[unit], level.Properties[unit], 3, geometry);
                }

                _layer.WriteTo(_tile, _scratch, LayerNames[l], level.Keys, options.Extent);
            }

            if (tile.Labels.Count > 0)
            {
                _layer.Reset();
                foreach (var (l, unit, x, y) in tile.Labels)
                {
                    _point.Reset();
                    _point.AddPoint(x, y);
                    _layer.AddFeature(null, levels[l].LabelProperties[unit], 1, _point.Written);
                }

                _layer.WriteTo(_tile, _scratch, "labels", LabelKeys, options.Extent);
            }

            if (_tile.Length == 0)
            {
                return null;
            }

            var mvt = _tile.Written.ToArray();
            using var compressed = new MemoryStream(mvt.Length / 2 + 64);
            using (var gzip = new GZipStream(compressed, options.GzipLevel, leaveOpen: true))
            {
                gzip.Write(mvt);
            }

            return new EncodedTile(mvt, compressed.ToArray());
        }
    }
}
