using System.Text;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// Issue 17, defects 1 and 2: what a query may cost the engine. Repair is refused past
/// <see cref="AggregationLimits.MaxSelfIntersections"/> before GeometryFixer runs, overlay work past
/// <see cref="AggregationLimits.MaxOverlayVertices"/> per request, both as <see cref="QueryProblem.TooComplex"/> naming
/// the limit; the request's cancellation reaches the engine; and a FeatureCollection costs the sum of its features.
/// </summary>
public sealed class BoundedWorkTests
{
    private static readonly SyntheticCoverage Synthetic = SyntheticCoverage.Create(300, seed: 17);

    private static readonly GeometryFactory Factory = SyntheticCoverage.Factory;

    /// <summary>The issue's repro: the star polygon {n/(n/2 - 1)}, radius 1.5° round the synthetic coverage's
    /// centre; its edges cross about n²/2 times.</summary>
    private static Polygon Star(int n, double radius = 1.5)
    {
        var step = (n / 2) - 1;
        var ring = new Coordinate[n + 1];
        for (var i = 0; i < n; i++)
        {
            var angle = 2 * Math.PI * i * step / n;
            ring[i] = new Coordinate(-74 + (radius * Math.Cos(angle)), -12 + (radius * Math.Sin(angle)));
        }

        ring[n] = ring[0].Copy();
        return Factory.CreatePolygon(ring);
    }

    /// <summary>A comb: <paramref name="teeth"/> thin teeth 3° long across the coverage, joined by a bar along its south edge.</summary>
    private static Polygon Comb(int teeth)
    {
        var ring = new List<Coordinate>();
        const double west = -75.8, east = -72.2, south = -13.5, north = -10.5;
        var width = (east - west) / teeth;
        for (var i = 0; i < teeth; i++)
        {
            var x = west + (i * width);
            ring.Add(new Coordinate(x, south));
            ring.Add(new Coordinate(x, north));
            ring.Add(new Coordinate(x + (width / 2), north));
            ring.Add(new Coordinate(x + (width / 2), south));
        }

        ring.Add(new Coordinate(east, south));
        ring.Add(new Coordinate(east, south - 0.3));
        ring.Add(new Coordinate(west, south - 0.3));
        ring.Add(ring[0].Copy());
        return Factory.CreatePolygon([.. ring]);
    }

    [Fact]
    public void Repair_is_refused_past_MaxSelfIntersections_naming_the_limit()
    {
        var error = Assert.Throws<InvalidQueryException>(() => Synthetic.Aggregator.Aggregate(Star(1001)));

        Assert.Equal(QueryProblem.TooComplex, error.Problem);
        Assert.Equal(nameof(AggregationLimits.MaxSelfIntersections), error.Limit);
        Assert.Contains("1000", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Refusing the 5,001-vertex star (6 million crossings; its repair ran past 14 minutes and 17 GB) costs a
    /// capped count, not a repair: a few megabytes at most (the repair of a 201-vertex star alone allocates more).</summary>
    [Fact]
    public void Refusing_a_star_of_5001_vertices_allocates_a_bounded_amount()
    {
        var star = Star(5001);
        Assert.Throws<InvalidQueryException>(() => Synthetic.Aggregator.Aggregate(Star(1001)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidQueryException>(() => Synthetic.Aggregator.Aggregate(star));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(QueryProblem.TooComplex, error.Problem);
        Assert.True(allocated < 8 << 20, $"refusing the star allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_few_self_intersections_are_repaired_within_the_limit_and_none_past_a_limit_of_zero()
    {
        var pentagram = Factory.CreatePolygon([.. Enumerable.Range(0, 6).Select(i => new Coordinate(-74 + Math.Cos(4 * Math.PI * i / 5), -12 + Math.Sin(4 * Math.PI * i / 5)))]);

        var repaired = Synthetic.Aggregator.Aggregate(pentagram);
        var error = Assert.Throws<InvalidQueryException>(() =>
            Synthetic.Aggregator.Aggregate(pentagram, limits: new AggregationLimits { MaxSelfIntersections = 0 }));

        Assert.NotNull(repaired.Repair);
        Assert.True(repaired.Population > 0);
        Assert.Equal(QueryProblem.TooComplex, error.Problem);
    }

    /// <summary>The capped count against a brute-force count of every pair of non-neighbouring segments that meet
    /// (its own orientation test, sharing nothing with NetTopologySuite's noder).</summary>
    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(21)]
    [InlineData(51)]
    public void The_self_intersection_count_agrees_with_a_brute_force_count(int n)
    {
        var star = Star(n);
        var expected = BruteForceCrossings(star.ExteriorRing.Coordinates);

        Assert.Equal(expected, SelfIntersections.CountUpTo(star, int.MaxValue - 1));
        Assert.Equal(Math.Min(expected, 11), SelfIntersections.CountUpTo(star, 10));
    }

    [Fact]
    public void Overlay_work_is_refused_past_MaxOverlayVertices_and_spent_by_district_plus_query_vertices()
    {
        var comb = Comb(40);
        var budget = new AggregationBudget(long.MaxValue);

        var answered = Synthetic.Aggregator.Aggregate(comb, budget: budget);
        var error = Assert.Throws<InvalidQueryException>(() =>
            Synthetic.Aggregator.Aggregate(comb, budget: new AggregationBudget(budget.OverlayVertices - 1)));

        Assert.True(answered.Population > 0);
        Assert.True(budget.OverlayVertices > comb.NumPoints, "the comb crosses at least one district border");
        Assert.Equal(QueryProblem.TooComplex, error.Problem);
        Assert.Equal(nameof(AggregationLimits.MaxOverlayVertices), error.Limit);
    }

    /// <summary>One budget for a request: each feature spends what it would alone, and the request stops at the limit
    /// of all of them together.</summary>
    [Fact]
    public void A_request_shares_one_budget_across_its_features()
    {
        var comb = Comb(12);
        var alone = new AggregationBudget(long.MaxValue);
        Synthetic.Aggregator.Aggregate(comb, budget: alone);

        var shared = new AggregationBudget((3 * alone.OverlayVertices) - 1);
        Synthetic.Aggregator.Aggregate(comb, budget: shared);
        Synthetic.Aggregator.Aggregate(comb, budget: shared);
        var spentByTwo = shared.OverlayVertices;
        var error = Assert.Throws<InvalidQueryException>(() => Synthetic.Aggregator.Aggregate(comb, budget: shared));

        Assert.Equal(2 * alone.OverlayVertices, spentByTwo);
        Assert.Equal(QueryProblem.TooComplex, error.Problem);
    }

    [Fact]
    public void A_cancelled_request_stops_in_the_engine_for_polygons_boxes_and_circles()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var budget = new AggregationBudget(long.MaxValue, cancelled.Token);

        Assert.ThrowsAny<OperationCanceledException>(() => Synthetic.Aggregator.Aggregate(Comb(10), budget: budget));
        Assert.ThrowsAny<OperationCanceledException>(() => Synthetic.Aggregator.Aggregate(Star(5), budget: budget));
        Assert.ThrowsAny<OperationCanceledException>(() => Synthetic.Aggregator.AggregateBox(-75, -13, -73, -11, budget: budget));
        Assert.ThrowsAny<OperationCanceledException>(() => Synthetic.Aggregator.AggregateCircle(-74, -12, 50, budget: budget));
        Assert.Equal(0, budget.OverlayVertices);
    }

    /// <summary>
    /// Defect 2: a FeatureCollection of 1,000 triangles costs about 1,000 single triangles, read and aggregated. Memory
    /// stands in for time (timed unit tests are not allowed here; <c>HostileQueryBenchmarks</c> has the times): a
    /// reader or engine step whose cost grew with the collection rather than the feature would show here.
    /// </summary>
    [Fact]
    public void A_collection_of_triangles_costs_the_sum_of_single_triangles()
    {
        var random = new Random(2);
        var features = new List<string>();
        for (var i = 0; i < 1000; i++)
        {
            var x = -75.5 + (random.NextDouble() * 3);
            var y = -13.5 + (random.NextDouble() * 3);
            FormattableString triangle = $"{{\"type\":\"Feature\",\"properties\":{{\"i\":{i}}},\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":[[[{x},{y}],[{x + 0.2},{y}],[{x},{y + 0.2}],[{x},{y}]]]}}}}";
            features.Add(triangle.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var collection = Encoding.UTF8.GetBytes($"{{\"type\":\"FeatureCollection\",\"features\":[{string.Join(',', features)}]}}");
        var singles = features.Select(Encoding.UTF8.GetBytes).ToList();
        void Run(byte[] body)
        {
            var budget = new AggregationBudget(long.MaxValue);
            foreach (var feature in GeoJsonQueryReader.Read(body, new GeoJsonReadLimits()).Features)
            {
                Synthetic.Aggregator.Aggregate(feature.Geometry, budget: budget);
            }
        }

        Run(collection);
        singles.ForEach(Run);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(collection);
        var forCollection = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        singles.ForEach(Run);
        var forSingles = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(forCollection < 1.25 * forSingles, $"the collection allocated {forCollection:N0} bytes, its features one by one {forSingles:N0}");
    }

    /// <summary>Triangles (and other convex polygons) are clipped without OverlayNG; the same triangle with a fourth,
    /// collinear vertex is not convex in the strict sense and goes through OverlayNG. Both must agree.</summary>
    [Theory]
    [InlineData(-74.3, -12.4, 0.9)]
    [InlineData(-75.9, -13.9, 1.5)]
    [InlineData(-72.7, -10.7, 0.3)]
    public void A_triangle_clipped_as_convex_agrees_with_the_same_triangle_through_overlay(double x, double y, double size)
    {
        var triangle = Factory.CreatePolygon([new(x, y), new(x + size, y), new(x, y + size), new(x, y)]);
        var withMidpoint = Factory.CreatePolygon([new(x, y), new(x + (size / 2), y), new(x + size, y), new(x, y + size), new(x, y)]);
        var overlayBudget = new AggregationBudget(long.MaxValue);

        var convex = Synthetic.Aggregator.Aggregate(triangle, includeBreakdown: true, budget: new AggregationBudget(0));
        var overlaid = Synthetic.Aggregator.Aggregate(withMidpoint, includeBreakdown: true, budget: overlayBudget);

        Assert.True(overlayBudget.OverlayVertices > 0, "the four-vertex triangle went through OverlayNG");
        Assert.Equal(overlaid.Districts, convex.Districts);
        Assert.Equal(overlaid.Population, convex.Population, Math.Max(overlaid.Population, 1) * 1e-9);
        Assert.Equal(overlaid.AreaKm2, convex.AreaKm2, overlaid.AreaKm2 * 1e-9);
        Assert.Equal(overlaid.QueryAreaKm2, convex.QueryAreaKm2, overlaid.QueryAreaKm2 * 1e-12);
    }

    private static int BruteForceCrossings(Coordinate[] ring)
    {
        var segments = ring.Length - 1;
        var count = 0;
        for (var i = 0; i < segments; i++)
        {
            for (var j = i + 2; j < segments; j++)
            {
                if (i == 0 && j == segments - 1)
                {
                    continue;
                }

                if (SegmentsMeet(ring[i], ring[i + 1], ring[j], ring[j + 1]))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private static bool SegmentsMeet(Coordinate a, Coordinate b, Coordinate c, Coordinate d)
    {
        static int Side(Coordinate p, Coordinate q, Coordinate r) => Math.Sign(((q.X - p.X) * (r.Y - p.Y)) - ((q.Y - p.Y) * (r.X - p.X)));
        static bool Within(Coordinate p, Coordinate q, Coordinate r) =>
            Math.Min(p.X, q.X) <= r.X && r.X <= Math.Max(p.X, q.X) && Math.Min(p.Y, q.Y) <= r.Y && r.Y <= Math.Max(p.Y, q.Y);
        int d1 = Side(c, d, a), d2 = Side(c, d, b), d3 = Side(a, b, c), d4 = Side(a, b, d);
        if (d1 * d2 < 0 && d3 * d4 < 0)
        {
            return true;
        }

        return (d1 == 0 && Within(c, d, a)) || (d2 == 0 && Within(c, d, b)) || (d3 == 0 && Within(a, b, c)) || (d4 == 0 && Within(a, b, d));
    }
}
