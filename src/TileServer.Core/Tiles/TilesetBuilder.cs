using System.Collections.Concurrent;
using System.Diagnostics;
using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Geodesy;
using TileServer.Core.Model;

namespace TileServer.Core.Tiles;

/// <summary>
/// Builds the <c>poverty</c> vector tileset (<see cref="Tileset"/>): layers <c>departments</c>, <c>provinces</c>,
/// <c>districts</c> (code, name, parent codes, numeric estimates, numeric feature id) and <c>labels</c> (one point per
/// unit), every tile from z0 to <see cref="TilesOptions.MaxZoom"/> that has features, Mapbox Vector Tile 2.1: the
/// zooms up to <see cref="TilesOptions.PrebuildMaxZoom"/> built here, the deeper ones handed to the tileset with what
/// builds them tile by tile on request (<see cref="OnDemandTiles"/>: the same bytes).
/// </summary>
/// <remarks>
/// <para>Simplification (<see cref="ZoomGeometries"/>): with the districts' <see cref="CoverageTopology"/>, its chains
/// are ranked once with <see cref="ChainSimplification"/> (topology-preserving Visvalingam-Whyatt, the algorithm of
/// NTS CoverageSimplifier, which took longer than all the tiles when run per zoom) in Web Mercator metres; each zoom
/// keeps the vertices above its tolerance (<see cref="TilesOptions.SimplifyTolerance"/> extent units at that zoom),
/// and rebuilds districts, provinces and departments (dissolved from the topology by the parent index) from the same
/// chains. So the three levels share borders exactly at every zoom and neighbours stay free of gaps and overlaps.
/// Without topology (a layer served as published that is not a coverage) each unit is simplified on its own, and
/// cracks between neighbours are possible.</para>
/// <para>Tiles: <see cref="PolygonTileClipper"/> clips every polygon part whose envelope reaches a tile (plus
/// <see cref="TilesOptions.Buffer"/>) and quantises it to valid MVT rings. Everything after the projection runs as
/// one pipeline (<see cref="TilePipeline"/>: a work queue, one worker per core): the ranking reports each zoom's tolerance as soon as it has
/// passed it (the finest first), that zoom's coverage is then rebuilt and its tiles clipped while the ranking goes on
/// to the coarser zooms; once a zoom's tiles are clipped, its vanished units get their squares, and its tiles are
/// encoded and gzipped. A zoom built on request keeps its function of the ranking (final once the ranking has passed
/// its tolerance), run on its first request. The pipeline's workers run on <see cref="TaskScheduler.Current"/> (the
/// dataset load's scheduler). The label points may still be computed when the build starts: only placing a zoom's
/// labels (after its tiles are clipped) waits for them. Build time steps (<see cref="TilesetStatistics.StepsMs"/>):
/// <c>simplify</c> is the ranking thread's time, which overlaps <c>tiles</c>, the whole pipeline;
/// <c>labelPointsWait</c> how long the first zoom to place labels waited for the points (zero when they were done),
/// within <c>tiles</c>; <c>labelPoints</c> their projection to Web Mercator once there; <c>levels</c> the units'
/// attributes and ids, before the pipeline.</para>
/// <para>Tiny units never vanish: a unit whose polygon collapses everywhere at a zoom (smaller than a tile unit) is
/// written as a one-unit square at its anchor point (NTS InteriorPoint) in the tile holding that point; and every
/// unit has its label point (the snapshot's <see cref="LabelPoints"/>: pole of inaccessibility, computed once per
/// dataset and shared with targeting scopes) in the <c>labels</c> layer at the zooms of its own layer.</para>
/// <para>Text columns of the estimates (Peru: the names again) are left out; missing numbers are left out of the
/// feature, never zero. Thread safety: stateless.</para>
/// </remarks>
public static class TilesetBuilder
{
    public const string TilesetName = "poverty";

    private const int Levels = 3;

    /// <summary>Builds the tileset of a dataset snapshot's three levels.</summary>
    /// <param name="parents">The parent index of the three layers.</param>
    /// <param name="labels">The three layers' label points (the snapshot's, shared with targeting scopes).</param>
    /// <param name="topology">The three levels over the districts' coverage topology (its units are <paramref name="districts"/>' units), or null when they are not a coverage.</param>
    public static Tileset Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ParentIndex parents,
        LabelPoints labels, AdminTopology? topology, string version, TilesOptions options)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return Build(departments, provinces, districts, parents, Task.FromResult(labels), topology, version, options);
    }

    /// <summary>
    /// Builds the tileset while the label points may still be computed: the zooms are simplified and clipped
    /// meanwhile, and the first zoom to place its labels waits for them (the same tiles as with the points at hand).
    /// </summary>
    /// <param name="labels">The three layers' label points, when they are done; its failure fails the build (unless the labels layer is off: it is not waited for).</param>
    /// <inheritdoc cref="Build(AdminLayer, AdminLayer, AdminLayer, ParentIndex, LabelPoints, AdminTopology?, string, TilesOptions)"/>
    public static Tileset Build(AdminLayer departments, AdminLayer provinces, AdminLayer districts, ParentIndex parents,
        Task<LabelPoints> labels, AdminTopology? topology, string version, TilesOptions options)
    {
        ArgumentNullException.ThrowIfNull(departments);
        ArgumentNullException.ThrowIfNull(provinces);
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(labels);
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
        var levels = new TileLevel[Levels];
        for (var l = 0; l < Levels; l++)
        {
            levels[l] = TileLevel.Create(layers[l], l, layerOptions[l], options);
        }

        steps["levels"] = clock.ElapsedMilliseconds;
        clock.Restart();

        // Label points are only needed where a zoom places them: the first zoom to get there waits for them (a wait
        // on a task not yet started runs it on the waiting thread, so a scheduler with one thread still finishes).
        long labelWaitMs = 0, labelProjectMs = 0;
        var labelsProjected = new Lazy<bool>(() =>
        {
            if (!options.Labels)
            {
                return false;
            }

            var watch = Stopwatch.StartNew();
            var points = labels.GetAwaiter().GetResult();
            labelWaitMs = watch.ElapsedMilliseconds;
            watch.Restart();
            for (var l = 0; l < Levels; l++)
            {
                levels[l].ProjectLabelPoints(points.Of((AdminLevel)l));
            }

            labelProjectMs = watch.ElapsedMilliseconds;
            return true;
        });
        void WaitForLabelPoints() => _ = labelsProjected.Value;

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
        var onDemand = new ConcurrentDictionary<int, Func<ZoomBuild>>();
        var pipeline = new TilePipeline();
        var simplifyMs = 0L;
        var fallbacks = pipeline.Run(() =>
        {
            var watch = Stopwatch.StartNew();
            ZoomGeometries.Produce(zooms, layers, topology, options, (i, geometries) =>
            {
                if (zooms[i].Zoom > options.PrebuildMaxZoom)
                {
                    var (zoom, active) = zooms[i];
                    onDemand[zoom] = () =>
                    {
                        WaitForLabelPoints();
                        return new ZoomBuild(zoom, options, levels, geometries(), active);
                    };
                    return;
                }

                pipeline.Post(
                    _ =>
                    {
                        // Coarser zooms first: their few tiles hold the most and would otherwise finish last.
                        var zoom = zooms[i].Zoom;
                        var build = builds[i] = new ZoomBuild(zoom, options, levels, geometries(), zooms[i].Active);
                        pipeline.ForAll(build.Work, zoom, (worker, tile) => build.Clip(tile, worker.Clipper, worker.Commands), () =>
                        {
                            Interlocked.Add(ref collapsed, build.KeepCollapsedUnits());
                            WaitForLabelPoints();
                            build.PlaceLabels();
                            var encoding = encodings[i] = new ZoomEncoding(build);
                            pipeline.ForAll(build.Work, zoom, (worker, tile) => encoding.Add(worker.Encoder.Encode(tile, levels, build.Active, options), tile, tiles), () => { });
                        });
                    },
                    TilePipeline.Urgent);
            });
            simplifyMs = watch.ElapsedMilliseconds;
        });
        // With no zoom built here, the points are still projected now, for the zooms built on request.
        WaitForLabelPoints();
        steps["labelPointsWait"] = labelWaitMs;
        steps["labelPoints"] = labelProjectMs;
        steps["simplify"] = simplifyMs;
        steps["tiles"] = clock.ElapsedMilliseconds;
        var zoomStats = encodings.OfType<ZoomEncoding>().Select(e => e.Statistics()).ToList();
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
            zoomStats)
        {
            OnDemandZooms = [.. onDemand.Keys.Order()],
        };
        return new Tileset(Info(levels, districts, version, options), all, statistics, onDemand.IsEmpty ? null : new OnDemandTiles(onDemand, options.CacheBytes));
    }

    private static TilesetInfo Info(TileLevel[] levels, AdminLayer districts, string version, TilesOptions options)
    {
        var vectorLayers = new List<VectorLayerInfo>();
        foreach (var level in levels.Where(l => l.Options.Enabled))
        {
            vectorLayers.Add(new VectorLayerInfo(
                level.LayerName,
                $"{level.LevelName} polygons: code, name, parent codes and the numeric estimates (missing values left out)",
                level.Options.MinZoom,
                Math.Min(level.Options.MaxZoom, options.MaxZoom),
                level.Fields));
        }

        var enabled = levels.Where(l => l.Options.Enabled).ToArray();
        if (options.Labels && enabled.Length > 0)
        {
            vectorLayers.Add(new VectorLayerInfo(
                TileLevel.LabelsLayerName,
                "one point per unit inside it (pole of inaccessibility), at the zooms of the unit's layer",
                enabled.Min(l => l.Options.MinZoom),
                Math.Min(enabled.Max(l => l.Options.MaxZoom), options.MaxZoom),
                TileLevel.LabelKeys.ToDictionary(key => key, _ => "String", StringComparer.Ordinal)));
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

    /// <summary>A copy of a lon/lat geometry in Web Mercator metres.</summary>
    internal static Geometry ToMercator(Geometry geometry) => ProjectedCopy.Of(geometry, WebMercator.X, WebMercator.Y);
}
