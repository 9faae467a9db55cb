using System.Buffers;
using NetTopologySuite.Algorithm;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Geometries.Utilities;
using NetTopologySuite.Index;
using NetTopologySuite.Index.HPRtree;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using NetTopologySuite.Operation.RelateNG;
using NetTopologySuite.Operation.Valid;
using TileServer.Core.Geodesy;
using TileServer.Core.Model;

namespace TileServer.Core.Aggregation;

/// <summary>
/// Areal-weighting aggregation of district estimates over any area (a polygon, a lon/lat box or a geodesic circle):
/// extensive columns are apportioned by the share of each district's area inside the query, intensive columns are
/// averaged with the apportioned population as weights, derived counts are rate × apportioned population, and missing
/// values are skipped and counted. The method and its formulas are in <c>docs/aggregation.md</c>.
/// </summary>
/// <remarks>
/// <para>Everything a query needs is built once: each district is projected into the plane of
/// <see cref="EqualAreaProjection"/> (Lambert cylindrical equal-area on the WGS 84 ellipsoid), where its planar area
/// is its ellipsoidal area; it is prepared (NetTopologySuite <see cref="PreparedGeometryFactory"/>) and its envelope
/// goes into a packed Hilbert R-tree (<see cref="HPRtree{T}"/>). A query is projected the same way, and intersections
/// run on projected coordinates: because the projection preserves area everywhere, the planar area of an intersection
/// there is exactly the ellipsoidal area of that intersection (for edges straight in the projection, the convention
/// under which district areas are measured too), and pieces of one district cut by several queries add up to the
/// district's area to rounding.</para>
/// <para>Per candidate from the R-tree, cheapest first: a district whose envelope the prepared query covers contributes
/// fully without an intersection; a district that covers the whole query contributes the query's area; a district the
/// prepared query does not intersect is skipped; a district the query covers (<see cref="RelateNG"/>, prepared once
/// per query) contributes fully; a district whose interior the query's interior does not meet (a neighbour that only
/// touches its border, also by RelateNG) is skipped; only the remaining border districts are intersected, with
/// OverlayNG (snapping fallback through <see cref="OverlayNGRobust"/>). Box queries (and rectangular polygons) are rectangles in the projected plane too, so
/// border districts are clipped by <see cref="RectangleClip"/>, without OverlayNG; circles and other convex polygons
/// (a triangle) clip them by <see cref="ConvexClip"/>, also without OverlayNG.</para>
/// <para>Every query is bounded: the request's <see cref="AggregationBudget"/> is spent before each OverlayNG call
/// (district plus query vertices, up to <see cref="AggregationLimits.MaxOverlayVertices"/> per request) and its
/// cancellation token is checked once per candidate district, so the work stops when the client goes or a timeout
/// fires; validation bounds the repair (<see cref="AggregationLimits.MaxSelfIntersections"/>). A query's cost depends on
/// the query alone: a FeatureCollection costs the sum of its features.</para>
/// <para>District geometries that are invalid (self-intersections) are repaired with GeometryFixer at build time and
/// listed in <see cref="RepairedDistricts"/>. Overlapping districts (a raw, uncleaned layer) each contribute their own
/// share, so overlaps are counted twice; build from a clean coverage for exact totals.</para>
/// <para>Thread safety: immutable after <see cref="Build"/>; any number of threads may query at once.</para>
/// </remarks>
public sealed class DistrictAggregator
{
    private readonly string[] _codes;
    private readonly string[] _names;
    private readonly Geometry[] _plane;
    private readonly IPreparedGeometry[] _preparedPlane;
    private readonly Geometry[] _envelopeShapes;
    private readonly Envelope[] _envelopes;
    private readonly double[] _areas;
    private readonly int[] _vertexCounts;
    private readonly double[] _weight;
    private readonly Column[] _columns;
    private readonly Derived[] _derived;
    private readonly HPRtree<int> _tree;
    private readonly GeometryFactory _lonLatFactory;

    /// <summary>DE-9IM pattern: the interiors share at least a point (so the intersection may have area).</summary>
    private const string InteriorsIntersect = "T********";

    private DistrictAggregator(
        string[] codes,
        string[] names,
        Geometry[] plane,
        double[] weight,
        Column[] columns,
        Derived[] derived,
        AggregationConfiguration configuration,
        int[] repaired)
    {
        _codes = codes;
        _names = names;
        _plane = plane;
        _weight = weight;
        _columns = columns;
        _derived = derived;
        Configuration = configuration;
        RepairedPositions = repaired;
        RepairedDistricts = [.. repaired.Select(i => codes[i])];

        var n = plane.Length;
        _preparedPlane = new IPreparedGeometry[n];
        _envelopeShapes = new Geometry[n];
        _envelopes = new Envelope[n];
        _areas = new double[n];
        _vertexCounts = new int[n];
        _tree = new HPRtree<int>();
        Parallel.For(0, n, LoadParallelism.Options, i =>
        {
            _preparedPlane[i] = PreparedGeometryFactory.Prepare(plane[i]);
            _envelopes[i] = plane[i].EnvelopeInternal;
            // A degenerate (zero-width) envelope becomes a line and never passes the covered-envelope shortcut.
            _envelopeShapes[i] = plane[i].Factory.ToGeometry(_envelopes[i]);
            _areas[i] = plane[i].Area;
            _vertexCounts[i] = plane[i].NumPoints;
        });
        for (var i = 0; i < n; i++)
        {
            _tree.Insert(_envelopes[i], i);
        }

        // HPRtree builds lazily on the first query, which would race; build it here so queries only read.
        _tree.Build();
        _lonLatFactory = new GeometryFactory(new PrecisionModel(), 4326);
    }

    /// <summary>The configuration the aggregator was built with.</summary>
    public AggregationConfiguration Configuration { get; }

    /// <summary>Number of districts.</summary>
    public int Count => _codes.Length;

    /// <summary>Codes of districts whose geometry was invalid and repaired with GeometryFixer at build time.</summary>
    public IReadOnlyList<string> RepairedDistricts { get; }

    /// <summary>District codes, in build order.</summary>
    public IReadOnlyList<string> Codes => _codes;

    /// <summary>
    /// Builds the aggregator. <paramref name="columns"/> maps column names to values aligned with
    /// <paramref name="districts"/> (null = no estimate); it must hold the configuration's weight, extensive and
    /// intensive columns.
    /// </summary>
    /// <exception cref="ArgumentException">A geometry is not polygonal, a configured column is absent or of the wrong
    /// length, or a derived count refers to a column that is not intensive.</exception>
    public static DistrictAggregator Build(
        IReadOnlyList<AggregationDistrict> districts,
        IReadOnlyDictionary<string, IReadOnlyList<double?>> columns,
        AggregationConfiguration? configuration = null) => BuildKnowingRepairs(districts, columns, configuration, null);

    /// <param name="knownRepaired">
    /// When not null, the positions of the districts a <see cref="Build"/> of these same geometries found invalid (<see cref="RepairedPositions"/>): they are repaired and the others used
    /// as they are, without the validity check, which is most of a build's time (a snapshot file stores the positions).
    /// </param>
    internal static DistrictAggregator BuildKnowingRepairs(
        IReadOnlyList<AggregationDistrict> districts,
        IReadOnlyDictionary<string, IReadOnlyList<double?>> columns,
        AggregationConfiguration? configuration,
        IReadOnlySet<int>? knownRepaired)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(columns);
        configuration ??= AggregationConfiguration.PovertyDefaults;

        var n = districts.Count;
        var codes = new string[n];
        var names = new string[n];
        var plane = new Geometry[n];
        var fixedAt = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var district = districts[i];
            codes[i] = district.Code;
            names[i] = district.Name;
            if (district.Geometry is not (Polygon or MultiPolygon))
            {
                throw new ArgumentException($"District {district.Code} has a {district.Geometry?.GeometryType ?? "missing"} geometry; a Polygon or MultiPolygon is required.", nameof(districts));
            }
        }

        // Each district on its own (validity, repair, projection): on every core of the caller's scheduler.
        Parallel.For(0, n, LoadParallelism.Options, i =>
        {
            var geometry = districts[i].Geometry;
            if (knownRepaired is null ? !new IsValidOp(geometry).IsValid : knownRepaired.Contains(i))
            {
                geometry = GeometryFixer.Fix(geometry);
                fixedAt[i] = true;
            }

            plane[i] = EqualAreaPlane.Project(geometry);
        });
        var repaired = Enumerable.Range(0, n).Where(i => fixedAt[i]).ToArray();

        var weight = Values(columns, configuration.WeightColumn, n);
        var columnList = new List<Column>();
        foreach (var name in configuration.ExtensiveColumns)
        {
            columnList.Add(new Column(name, ColumnRole.Extensive, Values(columns, name, n)));
        }

        foreach (var name in configuration.IntensiveColumns)
        {
            columnList.Add(new Column(name, ColumnRole.Intensive, Values(columns, name, n)));
        }

        var derived = new List<Derived>();
        foreach (var count in configuration.DerivedCounts)
        {
            var index = columnList.FindIndex(c => c.Role == ColumnRole.Intensive && string.Equals(c.Name, count.RateColumn, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                throw new ArgumentException($"Derived count '{count.Name}' refers to '{count.RateColumn}', which is not a configured intensive column.", nameof(configuration));
            }

            derived.Add(new Derived(count.Name, count.RateColumn, index, count.Scale));
        }

        return new DistrictAggregator(codes, names, plane, weight, [.. columnList], [.. derived], configuration, repaired);
    }

    /// <summary>The positions (in build order) of the districts repaired at build time, aligned with <see cref="RepairedDistricts"/>.</summary>
    internal IReadOnlyList<int> RepairedPositions { get; }

    /// <summary>Aggregates over a lon/lat Polygon or MultiPolygon, validated (and repaired or rejected) first.</summary>
    /// <param name="query">The query area.</param>
    /// <param name="includeBreakdown">Whether to list each contributing district's share.</param>
    /// <param name="limits">Limits for this query; the configuration's when null.</param>
    /// <param name="budget">The request's budget and cancellation, shared by all its query areas; when null, a fresh
    /// one over <paramref name="limits"/>, not cancellable.</param>
    /// <exception cref="InvalidQueryException">The query is unusable (see <see cref="QueryValidator.ValidatePolygonal"/>)
    /// or needs more overlay work than the budget has left (<see cref="QueryProblem.TooComplex"/>).</exception>
    /// <exception cref="OperationCanceledException">The budget's token was cancelled.</exception>
    public AggregationResult Aggregate(Geometry query, bool includeBreakdown = false, AggregationLimits? limits = null, AggregationBudget? budget = null)
    {
        limits ??= Configuration.Limits;
        budget ??= AggregationBudget.For(limits);
        var validated = QueryValidator.ValidatePolygonal(query, limits, budget.CancellationToken);
        var plane = EqualAreaPlane.Project(validated.Geometry);
        if (plane is Polygon { IsRectangle: true })
        {
            // EnvelopeInternal returns a new copy on every read.
            var box = plane.EnvelopeInternal;
            return AggregateClipped(new BoxClip(box), box, box.Area, validated.Repair, includeBreakdown, budget.CancellationToken);
        }

        return plane is Polygon { NumInteriorRings: 0 } polygon && ConvexWindow(polygon) is { } window
            ? AggregateClipped(new ConvexWindowClip(window), plane.EnvelopeInternal, plane.Area, validated.Repair, includeBreakdown, budget.CancellationToken)
            : AggregatePlane(plane, validated.Repair, includeBreakdown, budget);
    }

    /// <summary>Aggregates over a lon/lat box bounded by two meridians and two parallels; a <paramref name="minLon"/>
    /// above <paramref name="maxLon"/> is a box across the antimeridian, aggregated as its two halves.</summary>
    /// <exception cref="InvalidQueryException">See <see cref="QueryValidator.ValidateBox"/>.</exception>
    public AggregationResult AggregateBox(double minLon, double minLat, double maxLon, double maxLat, bool includeBreakdown = false, AggregationBudget? budget = null)
    {
        QueryValidator.ValidateBox(minLon, minLat, maxLon, maxLat);
        if (minLon > maxLon)
        {
            var halves = _lonLatFactory.CreateMultiPolygon([
                (Polygon)_lonLatFactory.ToGeometry(new Envelope(minLon, 180, minLat, maxLat)),
                (Polygon)_lonLatFactory.ToGeometry(new Envelope(-180, maxLon, minLat, maxLat)),
            ]);
            return Aggregate(halves, includeBreakdown, null, budget);
        }

        var envelope = new Envelope(
            EqualAreaProjection.X(minLon), EqualAreaProjection.X(maxLon), EqualAreaProjection.Y(minLat), EqualAreaProjection.Y(maxLat));
        return AggregateClipped(new BoxClip(envelope), envelope, envelope.Area, null, includeBreakdown, budget?.CancellationToken ?? default);
    }

    /// <summary>Aggregates over the geodesic circle of <paramref name="radiusKm"/> around a lon/lat centre, drawn
    /// with <see cref="GeodesicCircle.DefaultVertexCount"/> vertices (area 0.04% short of the true circle).</summary>
    /// <param name="lon">Centre longitude.</param>
    /// <param name="lat">Centre latitude.</param>
    /// <param name="radiusKm">Geodesic radius in kilometres.</param>
    /// <param name="includeBreakdown">Whether to list each contributing district's share.</param>
    /// <param name="limits">Limits for this query; the configuration's when null.</param>
    /// <param name="budget">The request's budget and cancellation; when null, a fresh one.</param>
    /// <exception cref="InvalidQueryException">See <see cref="QueryValidator.ValidateCircle"/>.</exception>
    public AggregationResult AggregateCircle(double lon, double lat, double radiusKm, bool includeBreakdown = false, AggregationLimits? limits = null, AggregationBudget? budget = null)
    {
        limits ??= Configuration.Limits;
        budget ??= AggregationBudget.For(limits);
        QueryValidator.ValidateCircle(lon, lat, radiusKm, limits);
        var circle = (Polygon)EqualAreaPlane.Project(GeodesicCircle.Create(_lonLatFactory, lon, lat, radiusKm * 1000));
        var window = ConvexClip.ConvexWindow(circle.ExteriorRing.CoordinateSequence);
        return window is null
            ? AggregatePlane(circle, null, includeBreakdown, budget)
            : AggregateClipped(new ConvexWindowClip(window), circle.EnvelopeInternal, circle.Area, null, includeBreakdown, budget.CancellationToken);
    }

    /// <summary>The polygon's shell as a counter-clockwise convex window for <see cref="ConvexClip"/>, whichever way
    /// it was given; null when it is not strictly convex.</summary>
    private static double[]? ConvexWindow(Polygon polygon)
    {
        var shell = polygon.ExteriorRing.CoordinateSequence;
        return ConvexClip.ConvexWindow(Orientation.IsCCW(shell) ? shell : shell.Reversed());
    }

    /// <summary>The geodesic circle <see cref="AggregateCircle"/> uses, in lon/lat, for echoing it back to clients.</summary>
    public Polygon CircleGeometry(double lon, double lat, double radiusKm)
    {
        QueryValidator.ValidateCircle(lon, lat, radiusKm, Configuration.Limits);
        return GeodesicCircle.Create(_lonLatFactory, lon, lat, radiusKm * 1000);
    }

    private AggregationResult AggregatePlane(Geometry query, string? repair, bool includeBreakdown, AggregationBudget budget)
    {
        var queryArea = query.Area;
        var queryVertices = query.NumPoints;
        var cancellation = budget.CancellationToken;
        var envelope = query.EnvelopeInternal;
        var prepared = PreparedGeometryFactory.Prepare(query);
        // Districts that share borders with the query (every member of a dissolved department) send the prepared
        // geometry's Covers to a full IntersectionMatrix (its segment test finds the shared edges); RelateNG
        // evaluates Covers and interior intersection on such coverage-like input about 7 times faster on the
        // Lima benchmark, so it decides the districts the envelope shortcut leaves.
        var relate = RelateNG.Prepare(query);
        var pool = ArrayPool<int>.Shared;
        var candidates = pool.Rent(_codes.Length);
        var inside = ArrayPool<double>.Shared.Rent(_codes.Length);
        try
        {
            var count = Candidates(envelope, candidates);
            var contributing = 0;
            for (var k = 0; k < count; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                var i = candidates[k];
                var area = AreaInside(i, query, envelope, queryArea, queryVertices, prepared, relate, budget);
                if (area > 0)
                {
                    candidates[contributing] = i;
                    inside[contributing] = Math.Min(area, _areas[i]);
                    contributing++;
                }
            }

            return Accumulate(candidates.AsSpan(0, contributing), inside.AsSpan(0, contributing), queryArea, repair, includeBreakdown);
        }
        finally
        {
            pool.Return(candidates);
            ArrayPool<double>.Shared.Return(inside);
        }
    }

    /// <summary>District <paramref name="i"/>'s area inside a polygon query (0 when they share none), by the cheapest
    /// test that decides it: see the class remarks.</summary>
    private double AreaInside(int i, Geometry query, Envelope queryEnvelope, double queryArea, int queryVertices, IPreparedGeometry prepared, RelateNG relate, AggregationBudget budget)
    {
        if (queryEnvelope.Covers(_envelopes[i]) && prepared.Covers(_envelopeShapes[i]))
        {
            return _areas[i];
        }

        if (_envelopes[i].Covers(queryEnvelope) && _preparedPlane[i].Covers(query))
        {
            return queryArea;
        }

        if (!prepared.Intersects(_plane[i]))
        {
            return 0;
        }

        if (relate.Evaluate(_plane[i], RelatePredicate.Covers()))
        {
            return _areas[i];
        }

        if (!relate.Evaluate(_plane[i], RelatePredicate.Matches(InteriorsIntersect)))
        {
            // Only the boundaries touch (a neighbour across the query's border): nothing inside.
            return 0;
        }

        budget.SpendOverlay(_vertexCounts[i] + (long)queryVertices);
        return OverlayNGRobust.Overlay(_plane[i], query, SpatialFunction.Intersection).Area;
    }

    /// <summary>
    /// Districts against a query clipped without an overlay (a box, a convex window): the R-tree's candidates, each
    /// clipped by <paramref name="clip"/>. Generic over a struct so that the JIT compiles the loop once per kind of
    /// clip, with no delegate call per district.
    /// </summary>
    private AggregationResult AggregateClipped<TClip>(TClip clip, Envelope envelope, double queryArea, string? repair, bool includeBreakdown, CancellationToken cancellation)
        where TClip : struct, IAreaClip
    {
        var pool = ArrayPool<int>.Shared;
        var candidates = pool.Rent(_codes.Length);
        var inside = ArrayPool<double>.Shared.Rent(_codes.Length);
        try
        {
            var count = Candidates(envelope, candidates);
            var contributing = 0;
            for (var k = 0; k < count; k++)
            {
                cancellation.ThrowIfCancellationRequested();
                var i = candidates[k];
                var area = clip.Area(_plane[i], _envelopes[i], _areas[i]);
                if (area > 0)
                {
                    candidates[contributing] = i;
                    inside[contributing] = Math.Min(area, _areas[i]);
                    contributing++;
                }
            }

            return Accumulate(candidates.AsSpan(0, contributing), inside.AsSpan(0, contributing), queryArea, repair, includeBreakdown);
        }
        finally
        {
            pool.Return(candidates);
            ArrayPool<double>.Shared.Return(inside);
        }
    }

    /// <summary>The area of one district (in the equal-area plane) inside a query clipped without an overlay.</summary>
    private interface IAreaClip
    {
        double Area(Geometry district, Envelope districtEnvelope, double districtArea);
    }

    /// <summary>An axis-aligned box: a district inside it counts whole, others are clipped by <see cref="RectangleClip"/>.</summary>
    private readonly struct BoxClip(Envelope box) : IAreaClip
    {
        public double Area(Geometry district, Envelope districtEnvelope, double districtArea) =>
            box.Covers(districtEnvelope) ? districtArea : RectangleClip.Area(district, box.MinX, box.MinY, box.MaxX, box.MaxY);
    }

    /// <summary>A convex window (a triangle, a circle's polygon), clipped by <see cref="ConvexClip"/>.</summary>
    private readonly struct ConvexWindowClip(double[] window) : IAreaClip
    {
        public double Area(Geometry district, Envelope districtEnvelope, double districtArea) => ConvexClip.Area(district, window, districtEnvelope);
    }

    /// <summary>R-tree candidates for <paramref name="envelope"/>, sorted by district index so that sums run in the
    /// same order whatever the tree's layout.</summary>
    private int Candidates(Envelope envelope, int[] buffer)
    {
        var collector = new CandidateCollector(buffer);
        _tree.Query(envelope, collector);
        Array.Sort(buffer, 0, collector.Count);
        return collector.Count;
    }

    private AggregationResult Accumulate(ReadOnlySpan<int> districts, ReadOnlySpan<double> insideArea, double queryArea, string? repair, bool includeBreakdown)
    {
        var columnCount = _columns.Length;
        var derivedCount = _derived.Length;
        Span<double> sums = stackalloc double[columnCount];
        Span<double> weights = stackalloc double[columnCount];
        Span<double> missingPopulation = stackalloc double[columnCount];
        Span<int> missingDistricts = stackalloc int[columnCount];
        Span<double> derivedSums = stackalloc double[derivedCount];
        Span<double> derivedMissing = stackalloc double[derivedCount];
        Span<bool> derivedAny = stackalloc bool[derivedCount];
        Span<bool> any = stackalloc bool[columnCount];
        sums.Clear();
        weights.Clear();
        missingPopulation.Clear();
        missingDistricts.Clear();
        derivedSums.Clear();
        derivedMissing.Clear();
        derivedAny.Clear();
        any.Clear();

        double population = 0;
        double area = 0;
        var withoutPopulation = 0;
        var breakdown = includeBreakdown ? new List<DistrictShare>(districts.Length) : null;
        for (var k = 0; k < districts.Length; k++)
        {
            var i = districts[k];
            var fraction = Math.Min(insideArea[k] / _areas[i], 1);
            area += insideArea[k];
            var districtWeight = _weight[i];
            var hasWeight = !double.IsNaN(districtWeight);
            var share = hasWeight ? districtWeight * fraction : 0;
            if (hasWeight)
            {
                population += share;
            }
            else
            {
                withoutPopulation++;
            }

            for (var c = 0; c < columnCount; c++)
            {
                var column = _columns[c];
                var value = column.Values[i];
                var usable = !double.IsNaN(value) && (hasWeight || column.Role == ColumnRole.Extensive);
                if (!usable)
                {
                    missingPopulation[c] += share;
                    missingDistricts[c]++;
                    continue;
                }

                any[c] = true;
                if (column.Role == ColumnRole.Extensive)
                {
                    sums[c] += value * fraction;
                }
                else
                {
                    sums[c] += value * share;
                    weights[c] += share;
                }
            }

            for (var d = 0; d < derivedCount; d++)
            {
                var rate = _columns[_derived[d].Column].Values[i];
                if (double.IsNaN(rate) || !hasWeight)
                {
                    derivedMissing[d] += share;
                    continue;
                }

                derivedAny[d] = true;
                derivedSums[d] += rate * _derived[d].Scale * share;
            }

            breakdown?.Add(new DistrictShare(_codes[i], _names[i], fraction, hasWeight ? share : null));
        }

        var estimates = new ColumnEstimate[columnCount];
        for (var c = 0; c < columnCount; c++)
        {
            double? value = _columns[c].Role == ColumnRole.Extensive
                ? (any[c] ? sums[c] : null)
                : (weights[c] > 0 ? sums[c] / weights[c] : null);
            estimates[c] = new ColumnEstimate(_columns[c].Name, _columns[c].Role, value, missingPopulation[c], missingDistricts[c]);
        }

        var derived = new DerivedCountEstimate[derivedCount];
        for (var d = 0; d < derivedCount; d++)
        {
            derived[d] = new DerivedCountEstimate(_derived[d].Name, _derived[d].RateColumn, derivedAny[d] ? derivedSums[d] : null, derivedMissing[d]);
        }

        var coverage = queryArea > 0 ? Math.Min(area / queryArea, 1) : 0;
        return new AggregationResult(population, estimates, derived, districts.Length, withoutPopulation, area / 1e6, queryArea / 1e6, coverage, repair, breakdown);
    }

    private static double[] Values(IReadOnlyDictionary<string, IReadOnlyList<double?>> columns, string name, int count)
    {
        if (!columns.TryGetValue(name, out var values))
        {
            var match = columns.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                throw new ArgumentException($"Column '{name}' is configured but no values were given for it.", nameof(columns));
            }

            values = columns[match];
        }

        if (values.Count != count)
        {
            throw new ArgumentException($"Column '{name}' has {values.Count} values for {count} districts.", nameof(columns));
        }

        var result = new double[count];
        for (var i = 0; i < count; i++)
        {
            result[i] = values[i] is { } v && double.IsFinite(v) ? v : double.NaN;
        }

        return result;
    }

    private sealed record Column(string Name, ColumnRole Role, double[] Values);

    private sealed record Derived(string Name, string RateColumn, int Column, double Scale);

    private sealed class CandidateCollector(int[] buffer) : IItemVisitor<int>
    {
        public int Count { get; private set; }

        public void VisitItem(int item) => buffer[Count++] = item;
    }
}
