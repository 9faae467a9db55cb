using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Geodesy;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// The rules of <see cref="DistrictAggregator"/> that the hand-checked and synthetic tests leave unpinned: what a build
/// refuses, the cheapest-test-first path a polygon query takes (only border districts are intersected, and only they
/// cost overlay work), convex queries clipped whichever way round, holes, the antimeridian box, districts without a
/// population or with a population of 0, derived counts at their scale, and the order of the breakdown. Expected
/// areas are closed-form ellipsoidal rectangles (<see cref="EllipsoidalRectangle"/>); every district and query here
/// is a union of lon/lat rectangles, so each intersection is one too.
/// </summary>
public sealed class DistrictAggregatorRulesTests
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    private static readonly AggregationConfiguration Configuration = new()
    {
        WeightColumn = "poblacion",
        ExtensiveColumns = ["hogares"],
        IntensiveColumns = ["pobreza_pct"],
        DerivedCounts = [new DerivedCount("pobres", "pobreza_pct"), new DerivedCount("pobres_por_mil", "POBREZA_PCT", 10)],
    };

    /// <summary>Four 1° squares in a row over [-10, -9]: W [-75, -74], M [-74, -73], E [-73, -72] (no population),
    /// Z [-72, -71] (a population of 0).</summary>
    private static readonly DistrictAggregator Row = DistrictAggregator.Build(
        [
            new AggregationDistrict("W", "West", Box(-75, -10, -74, -9)),
            new AggregationDistrict("M", "Middle", Box(-74, -10, -73, -9)),
            new AggregationDistrict("E", "East", Box(-73, -10, -72, -9)),
            new AggregationDistrict("Z", "Zero", Box(-72, -10, -71, -9)),
        ],
        new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = [1000, 3000, null, 0],
            ["hogares"] = [250, 700, 400, 0],
            ["pobreza_pct"] = [10, 50, 30, 20],
        },
        Configuration);

    private static Polygon Box(double minLon, double minLat, double maxLon, double maxLat) =>
        Factory.CreatePolygon([new(minLon, minLat), new(maxLon, minLat), new(maxLon, maxLat), new(minLon, maxLat), new(minLon, minLat)]);

    /// <summary>The box as a polygon with a fifth vertex in the middle of its bottom edge: neither a rectangle nor
    /// strictly convex, so it takes the prepared-geometry and OverlayNG path.</summary>
    private static Polygon BoxWithMidpoint(double minLon, double minLat, double maxLon, double maxLat) =>
        Factory.CreatePolygon([new(minLon, minLat), new((minLon + maxLon) / 2, minLat), new(maxLon, minLat), new(maxLon, maxLat), new(minLon, maxLat), new(minLon, minLat)]);

    private static double Km2(double minLon, double minLat, double maxLon, double maxLat) => EllipsoidalRectangle.Km2(minLon, minLat, maxLon, maxLat);

    private static Dictionary<string, IReadOnlyList<double?>> Columns(int districts) => new()
    {
        ["poblacion"] = [.. Enumerable.Repeat<double?>(100, districts)],
        ["hogares"] = [.. Enumerable.Repeat<double?>(25, districts)],
        ["pobreza_pct"] = [.. Enumerable.Repeat<double?>(10, districts)],
    };

    [Fact]
    public void A_build_refuses_null_arguments_by_name()
    {
        Assert.Equal("districts", Assert.Throws<ArgumentNullException>(() => DistrictAggregator.Build(null!, Columns(0), Configuration)).ParamName);
        Assert.Equal("columns", Assert.Throws<ArgumentNullException>(() => DistrictAggregator.Build([], null!, Configuration)).ParamName);
    }

    [Fact]
    public void A_district_that_is_not_polygonal_is_refused_naming_its_code_and_type()
    {
        var line = Factory.CreateLineString([new(-75, -10), new(-74, -9)]);

        var error = Assert.Throws<ArgumentException>(() => DistrictAggregator.Build([new("080101", "Cusco", line)], Columns(1), Configuration));
        var missing = Assert.Throws<ArgumentException>(() => DistrictAggregator.Build([new("080102", "Nothing", null!)], Columns(1), Configuration));

        Assert.Equal("districts", error.ParamName);
        Assert.StartsWith("District 080101 has a LineString geometry; a Polygon or MultiPolygon is required.", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("District 080102 has a missing geometry", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_configured_column_that_is_absent_or_of_the_wrong_length_is_refused_naming_it()
    {
        AggregationDistrict[] two = [new("W", "West", Box(-75, -10, -74, -9)), new("M", "Middle", Box(-74, -10, -73, -9))];
        var withoutHouseholds = Columns(2);
        withoutHouseholds.Remove("hogares");
        var short_ = Columns(2);
        short_["pobreza_pct"] = [10];

        var absent = Assert.Throws<ArgumentException>(() => DistrictAggregator.Build(two, withoutHouseholds, Configuration));
        var wrongLength = Assert.Throws<ArgumentException>(() => DistrictAggregator.Build(two, short_, Configuration));

        Assert.Equal("columns", absent.ParamName);
        Assert.StartsWith("Column 'hogares' is configured but no values were given for it.", absent.Message, StringComparison.Ordinal);
        Assert.StartsWith("Column 'pobreza_pct' has 1 values for 2 districts.", wrongLength.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_derived_count_of_a_column_that_is_not_intensive_is_refused_naming_both()
    {
        var configuration = Configuration with { DerivedCounts = [new DerivedCount("casas", "hogares")] };

        var error = Assert.Throws<ArgumentException>(() => DistrictAggregator.Build([new("W", "West", Box(-75, -10, -74, -9))], Columns(1), configuration));

        Assert.Equal("configuration", error.ParamName);
        Assert.StartsWith("Derived count 'casas' refers to 'hogares', which is not a configured intensive column.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Column names match the configuration whatever their case (CSV headers vary), and so do the rate
    /// columns of derived counts; a value that is not finite is a missing value.</summary>
    [Fact]
    public void Columns_match_whatever_their_case_and_values_that_are_not_finite_are_missing()
    {
        var columns = new Dictionary<string, IReadOnlyList<double?>>
        {
            ["POBLACION"] = [1000, double.NaN],
            ["Hogares"] = [250, double.PositiveInfinity],
            ["pobreza_pct"] = [10, 50],
        };
        var aggregator = DistrictAggregator.Build([new("W", "West", Box(-75, -10, -74, -9)), new("M", "Middle", Box(-74, -10, -73, -9))], columns, Configuration);

        var result = aggregator.AggregateBox(-75, -10, -73, -9);

        Assert.Equal(1000, result.Population, 1e-6);
        Assert.Equal(1, result.DistrictsWithoutPopulation);
        Assert.Equal(250, result.Estimate("hogares")!.Value, 1e-6);
        Assert.Equal(1, result.Estimates.Single(e => e.Name == "hogares").DistrictsWithoutEstimate);
        Assert.Equal(10, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal(10 * 10 * 1000.0, result.DerivedCounts.Single(d => d.Name == "pobres_por_mil").Value!.Value, 1e-6);
        Assert.Null(aggregator.AggregateBox(-73.8, -9.8, -73.2, -9.2).Estimate("hogares"));
    }

    [Fact]
    public void Without_a_configuration_the_poverty_defaults_apply()
    {
        var columns = new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = [1000],
            ["pobreza_pct"] = [10],
            ["pobreza_extrema_pct"] = [2],
            ["idh"] = [0.5],
            ["vulnerabilidad_alimentaria"] = [0.3],
        };

        var aggregator = DistrictAggregator.Build([new("W", "West", Box(-75, -10, -74, -9))], columns);
        var result = aggregator.AggregateBox(-75, -10, -74, -9);

        Assert.Same(AggregationConfiguration.PovertyDefaults, aggregator.Configuration);
        Assert.Equal(1, aggregator.Count);
        Assert.Equal(["W"], aggregator.Codes);
        Assert.Empty(aggregator.RepairedDistricts);
        Assert.Equal(["pobres", "pobres_extremos"], result.DerivedCounts.Select(d => d.Name));
        Assert.Equal(20, result.DerivedCounts[1].Value!.Value, 1e-9);
    }

    /// <summary>A quarter of W and three quarters of M (along one band of latitude, area is proportional to
    /// longitude): each derived count is Σ rate × scale × apportioned population, at its own scale.</summary>
    [Fact]
    public void A_derived_count_is_rate_times_its_scale_times_the_apportioned_population()
    {
        var result = Row.AggregateBox(-74.25, -10, -73.25, -9);

        var (west, middle) = (0.25 * 1000, 0.75 * 3000);
        Assert.Equal((0.01 * 10 * west) + (0.01 * 50 * middle), result.DerivedCounts.Single(d => d.Name == "pobres").Value!.Value, 1e-6);
        Assert.Equal((10 * 10 * west) + (10 * 50 * middle), result.DerivedCounts.Single(d => d.Name == "pobres_por_mil").Value!.Value, 1e-3);
        Assert.Equal("POBREZA_PCT", result.DerivedCounts.Single(d => d.Name == "pobres_por_mil").RateColumn);
    }

    /// <summary>E has households and a poverty rate but no population: a query inside it apportions the households,
    /// but has no weight for the rate and so no rate and no derived count (null, not 0 or NaN).</summary>
    [Theory]
    [InlineData("box")]
    [InlineData("polygon")]
    public void A_query_inside_a_district_without_population_has_its_counts_but_no_rate_or_derived_count(string kind)
    {
        var result = kind == "box"
            ? Row.AggregateBox(-72.8, -9.8, -72.2, -9.2, includeBreakdown: true)
            : Row.Aggregate(BoxWithMidpoint(-72.8, -9.8, -72.2, -9.2), includeBreakdown: true);

        var fraction = Km2(-72.8, -9.8, -72.2, -9.2) / Km2(-73, -10, -72, -9);
        Assert.Equal(1, result.Districts);
        Assert.Equal(1, result.DistrictsWithoutPopulation);
        Assert.Equal(0, result.Population);
        Assert.Equal(400 * fraction, result.Estimate("hogares")!.Value, 1e-9);
        Assert.Null(result.Estimate("pobreza_pct"));
        var poverty = result.Estimates.Single(e => e.Name == "pobreza_pct");
        Assert.Equal(1, poverty.DistrictsWithoutEstimate);
        Assert.Equal(0, poverty.PopulationWithoutEstimate);
        Assert.All(result.DerivedCounts, d => Assert.Null(d.Value));
        var share = Assert.Single(result.Breakdown!);
        Assert.Equal(fraction, share.Fraction, 1e-9);
        Assert.Null(share.Population);
    }

    /// <summary>Z has a population of 0: it weighs nothing, so its rate has no weight (null, not 0/0), while a
    /// derived count is a true 0 people.</summary>
    [Fact]
    public void A_query_inside_a_district_of_population_zero_has_no_rate_and_a_derived_count_of_zero()
    {
        var result = Row.AggregateBox(-71.8, -9.8, -71.2, -9.2);

        Assert.Equal(0, result.DistrictsWithoutPopulation);
        Assert.Null(result.Estimate("pobreza_pct"));
        Assert.Equal(0, result.Estimates.Single(e => e.Name == "pobreza_pct").DistrictsWithoutEstimate);
        Assert.Equal(0.0, result.DerivedCounts[0].Value);
    }

    /// <summary>
    /// An L-shaped district (L: [-75, -73] × [-10, -9] and [-75, -74] × [-9, -8]) whose notch is a second district
    /// (N: [-74, -73] × [-9, -8]), and D ([-73, -72] × [-10, -8]) beside both. The query [-74.5, -73] × [-9.5, -8.5]
    /// lies within L's envelope but not within L, cuts L and N, and touches D along its east edge: L and N take
    /// their closed-form parts, D nothing.
    /// </summary>
    [Fact]
    public void A_query_in_the_notch_of_an_L_shaped_district_takes_only_the_part_inside_each_district()
    {
        var l = Factory.CreatePolygon([new(-75, -10), new(-73, -10), new(-73, -9), new(-74, -9), new(-74, -8), new(-75, -8), new(-75, -10)]);
        var aggregator = DistrictAggregator.Build(
            [new("L", "Ele", l), new("N", "Notch", Box(-74, -9, -73, -8)), new("D", "Beside", Box(-73, -10, -72, -8))],
            new Dictionary<string, IReadOnlyList<double?>>
            {
                ["poblacion"] = [2000, 500, 800],
                ["hogares"] = [500, 100, 200],
                ["pobreza_pct"] = [20, 60, 40],
            },
            Configuration);

        var result = aggregator.Aggregate(BoxWithMidpoint(-74.5, -9.5, -73, -8.5), includeBreakdown: true);

        var lKm2 = Km2(-75, -10, -73, -9) + Km2(-75, -9, -74, -8);
        var fl = (Km2(-74.5, -9.5, -73, -9) + Km2(-74.5, -9, -74, -8.5)) / lKm2;
        var fn = Km2(-74, -9, -73, -8.5) / Km2(-74, -9, -73, -8);
        var population = (fl * 2000) + (fn * 500);
        Assert.Equal(2, result.Districts);
        Assert.Equal(["L", "N"], result.Breakdown!.Select(s => s.Code));
        Assert.Equal(fl, result.Breakdown![0].Fraction, 1e-9);
        Assert.Equal(fn, result.Breakdown![1].Fraction, 1e-9);
        Assert.Equal(population, result.Population, population * 1e-9);
        Assert.Equal(((20 * fl * 2000) + (60 * fn * 500)) / population, result.Estimate("pobreza_pct")!.Value, 1e-9);
        Assert.Equal(Km2(-74.5, -9.5, -73, -8.5), result.AreaKm2, result.AreaKm2 * 1e-9);
        Assert.Equal(1, result.Coverage, 1e-9);
    }

    /// <summary>
    /// Overlay work (the budget) is spent only on districts whose border the query's border crosses, each costing its
    /// vertices plus the query's: the 6-vertex query across W and M costs (5 + 6) + (5 + 6); M's own outline costs
    /// nothing (M is covered; W and E only touch it), and a budget of exactly the cost is enough.
    /// </summary>
    [Fact]
    public void Overlay_work_is_spent_only_on_districts_whose_border_the_query_crosses()
    {
        var across = BoxWithMidpoint(-74.5, -9.5, -73.5, -9.2);
        var crossing = new AggregationBudget(long.MaxValue);
        var outline = new AggregationBudget(long.MaxValue);

        Row.Aggregate(across, budget: crossing);
        var middle = Row.Aggregate(BoxWithMidpoint(-74, -10, -73, -9), includeBreakdown: true, budget: outline);
        var exact = Row.Aggregate(across, budget: new AggregationBudget(22));

        Assert.Equal(22, crossing.OverlayVertices);
        Assert.Equal(0, outline.OverlayVertices);
        Assert.Equal("M", Assert.Single(middle.Breakdown!).Code);
        Assert.Equal(1.0, middle.Breakdown![0].Fraction);
        Assert.Equal(3000, middle.Population, 1e-9);
        Assert.Equal(2, exact.Districts);
        Assert.Throws<InvalidQueryException>(() => Row.Aggregate(across, budget: new AggregationBudget(21)));
    }

    /// <summary>Districts whose envelope only touches the query's (a box or triangle on M, with a side or a vertex on
    /// W's border) share no area with it and are not counted.</summary>
    [Fact]
    public void A_district_that_only_touches_a_box_or_a_triangle_is_not_counted()
    {
        var box = Row.AggregateBox(-74, -10, -73, -9, includeBreakdown: true);
        var triangle = Row.Aggregate(Factory.CreatePolygon([new(-74, -9.5), new(-73.5, -9.8), new(-73.5, -9.2), new(-74, -9.5)]), includeBreakdown: true);

        Assert.Equal(("M", 1.0), (Assert.Single(box.Breakdown!).Code, box.Breakdown![0].Fraction));
        Assert.Equal("M", Assert.Single(triangle.Breakdown!).Code);
        Assert.Equal(1, triangle.Districts);
    }

    [Fact]
    public void A_box_with_its_bounds_the_wrong_way_round_is_refused()
    {
        Assert.Equal(QueryProblem.InvalidBox, Assert.Throws<InvalidQueryException>(() => Row.AggregateBox(-75, -9, -74, -10)).Problem);
    }

    /// <summary>A department dissolved from its districts covers each of them and only touches its neighbours, so it
    /// costs no overlay work at all (no district is intersected), and gives back the members' population.</summary>
    [Fact]
    public void A_dissolved_department_costs_no_overlay_work()
    {
        var synthetic = SyntheticCoverage.Create(120, seed: 9);
        var members = Enumerable.Range(0, synthetic.Districts.Count).Where(i => synthetic.Sites[i].X < -74.5).ToList();
        var department = NetTopologySuite.Coverage.CoverageUnion.Union([.. members.Select(i => synthetic.Districts[i].Geometry)]);

        var result = synthetic.Aggregator.Aggregate(department, budget: new AggregationBudget(0));

        Assert.Equal(members.Count, result.Districts);
        Assert.Equal(synthetic.TotalPopulation(members), result.Population, result.Population * 1e-9);
    }

    /// <summary>A triangle is clipped as a convex window, without overlay work, whichever way round its ring runs.</summary>
    [Fact]
    public void A_triangle_either_way_round_is_clipped_without_overlay_work()
    {
        var counterClockwise = Factory.CreatePolygon([new(-74.5, -9.8), new(-73.5, -9.8), new(-74, -9.2), new(-74.5, -9.8)]);
        var clockwise = (Polygon)counterClockwise.Reverse();

        var a = Row.Aggregate(counterClockwise, includeBreakdown: true, budget: new AggregationBudget(0));
        var b = Row.Aggregate(clockwise, includeBreakdown: true, budget: new AggregationBudget(0));

        Assert.Equal(["W", "M"], a.Breakdown!.Select(s => s.Code));
        Assert.Equal(a.Population, b.Population, 1e-9);
        Assert.Equal(a.AreaKm2, b.AreaKm2, 1e-9);
        // Symmetric about -74, where W and M meet: half of the triangle's area in each.
        Assert.Equal(a.Breakdown![0].Fraction * Km2(-75, -10, -74, -9), a.Breakdown![1].Fraction * Km2(-74, -10, -73, -9), 1e-6);
    }

    /// <summary>A convex shell with a hole is not a convex window: the hole is left out.</summary>
    [Fact]
    public void A_convex_polygon_with_a_hole_leaves_out_the_hole()
    {
        var shell = Box(-74.8, -9.8, -73.2, -9.2);
        var hole = Box(-74.2, -9.6, -73.8, -9.4);
        var query = Factory.CreatePolygon((LinearRing)shell.ExteriorRing, [(LinearRing)hole.ExteriorRing.Reverse()]);

        var result = Row.Aggregate(query, includeBreakdown: true);

        var fw = (Km2(-74.8, -9.8, -74, -9.2) - Km2(-74.2, -9.6, -74, -9.4)) / Km2(-75, -10, -74, -9);
        var fm = (Km2(-74, -9.8, -73.2, -9.2) - Km2(-74, -9.6, -73.8, -9.4)) / Km2(-74, -10, -73, -9);
        Assert.Equal(Km2(-74.8, -9.8, -73.2, -9.2) - Km2(-74.2, -9.6, -73.8, -9.4), result.QueryAreaKm2, result.QueryAreaKm2 * 1e-9);
        Assert.Equal(fw, result.Breakdown![0].Fraction, 1e-9);
        Assert.Equal(fm, result.Breakdown![1].Fraction, 1e-9);
        Assert.Equal((fw * 1000) + (fm * 3000), result.Population, 1e-6);
    }

    /// <summary>A box whose minLon is above its maxLon crosses the antimeridian: it takes the east half of A
    /// ([179, 180]) and the west half of B ([-180, -179]).</summary>
    [Fact]
    public void A_box_across_the_antimeridian_takes_its_two_halves()
    {
        var aggregator = DistrictAggregator.Build(
            [new("A", "East of 179", Box(179, -10, 180, -9)), new("B", "West of -179", Box(-180, -10, -179, -9)), new("C", "Far", Box(0, -10, 1, -9))],
            Columns(3),
            Configuration);

        var result = aggregator.AggregateBox(179.5, -10, -179.5, -9, includeBreakdown: true);

        Assert.Equal(["A", "B"], result.Breakdown!.Select(s => s.Code));
        Assert.All(result.Breakdown!, s => Assert.Equal(0.5, s.Fraction, 1e-9));
        Assert.Equal(100, result.Population, 1e-6);
        Assert.Equal(Km2(179.5, -10, 180.5, -9), result.QueryAreaKm2, result.QueryAreaKm2 * 1e-9);
    }

    /// <summary>The breakdown lists districts in build order, whatever order the R-tree finds them in, for every kind
    /// of query; and there is none unless asked for.</summary>
    [Fact]
    public void The_breakdown_lists_districts_in_build_order_and_only_when_asked_for()
    {
        var synthetic = SyntheticCoverage.Create(300, seed: 5);
        var star = PlaneCut.RandomStarPolygon(new Random(3), -75, -13, 1, 0.8, 0.5);

        var results = new[]
        {
            synthetic.Aggregator.AggregateBox(-75.5, -13.5, -72.5, -10.5, includeBreakdown: true),
            synthetic.Aggregator.AggregateCircle(-74, -12, 150, includeBreakdown: true),
            synthetic.Aggregator.Aggregate(star, includeBreakdown: true),
        };

        foreach (var result in results)
        {
            var codes = result.Breakdown!.Select(s => s.Code).ToList();
            Assert.True(codes.Count > 20, $"{codes.Count} districts");
            Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
        }

        Assert.Null(synthetic.Aggregator.AggregateBox(-75.5, -13.5, -72.5, -10.5).Breakdown);
        Assert.Null(synthetic.Aggregator.Aggregate(star).Breakdown);
    }

    /// <summary>Overlapping districts (a raw layer) each count their own share, so the area inside can exceed the
    /// query's; coverage is capped at 1.</summary>
    [Fact]
    public void Overlapping_districts_each_count_their_share_and_coverage_is_capped_at_one()
    {
        var aggregator = DistrictAggregator.Build(
            [new("A", "A", Box(-75, -10, -74, -9)), new("B", "B", Box(-74.5, -10, -73.5, -9))],
            Columns(2),
            Configuration);

        var result = aggregator.AggregateBox(-75, -10, -73.5, -9);

        Assert.Equal(200, result.Population, 1e-6);
        Assert.Equal(2 * Km2(-75, -10, -74, -9), result.AreaKm2, result.AreaKm2 * 1e-9);
        Assert.Equal(1.0, result.Coverage);
    }

    /// <summary>A valid sliver triangle whose legs are one ulp of longitude and of latitude collapses in the
    /// equal-area plane to an area of exactly 0: the result has coverage 0, not 0 / 0 (a NaN that JSON cannot carry).</summary>
    [Fact]
    public void A_query_too_small_to_have_an_area_has_coverage_zero()
    {
        var aggregator = DistrictAggregator.Build([new("C", "Centre", Box(-76, -11, -73, -8))], Columns(1), Configuration);
        var (lon, lat) = (-74.75133141584291, -9.889256022818971);
        var sliver = Factory.CreatePolygon([new(lon, lat), new(Math.BitIncrement(lon), lat), new(lon, Math.BitIncrement(lat)), new(lon, lat)]);

        var nothing = aggregator.Aggregate(sliver);

        Assert.True(sliver.IsValid);
        Assert.Equal(0, nothing.QueryAreaKm2);
        Assert.Equal(0, nothing.Coverage);
    }

    /// <summary>
    /// A circle of 2,000 km round (0, 70) is not convex in the equal-area plane (the projection squeezes latitudes near
    /// the pole), so it is intersected by overlay, not clipped as a convex window; a grid of 30° × 10° districts holds
    /// it whole, so the area inside is the circle's, which is the spherical cap 2πR²(1 − cos(r/R)) (R the authalic
    /// radius, 6371.007 km) to within the 0.04 % of the 128-gon and the ellipsoid's flattening. A circle in Peru is
    /// convex, and clipped without overlay work.
    /// </summary>
    [Fact]
    public void A_circle_the_projection_bends_out_of_convex_is_intersected_whole()
    {
        var cells = new List<AggregationDistrict>();
        for (var x = -180; x < 180; x += 30)
        {
            for (var y = 40; y < 90; y += 10)
            {
                cells.Add(new($"{x}/{y}", "cell", Box(x, y, x + 30, y + 10)));
            }
        }

        var grid = DistrictAggregator.Build(cells, Columns(cells.Count), Configuration);

        var result = grid.AggregateCircle(0, 70, 2000, includeBreakdown: true);
        var peru = Row.AggregateCircle(-74, -9.5, 30, budget: new AggregationBudget(0));

        const double r = 2000, radius = 6371.007;
        var cap = 2 * Math.PI * radius * radius * (1 - Math.Cos(r / radius));
        Assert.Null(ConvexClip.ConvexWindow(((Polygon)EqualAreaPlane.Project(grid.CircleGeometry(0, 70, 2000))).ExteriorRing.CoordinateSequence));
        Assert.Equal(cap, result.QueryAreaKm2, cap * 0.01);
        Assert.Equal(result.QueryAreaKm2, result.AreaKm2, result.AreaKm2 * 1e-9);
        Assert.Equal(result.Breakdown!.Sum(s => s.Fraction * 100), result.Population, 1e-6);
        Assert.Contains(result.Breakdown!, s => s.Fraction == 1.0);
        Assert.Equal(2, peru.Districts);
    }

    [Fact]
    public void An_estimate_is_found_by_name_whatever_its_case_and_an_unknown_name_throws_naming_it()
    {
        var result = Row.AggregateBox(-75, -10, -74, -9);

        Assert.Equal(10, result.Estimate("POBREZA_PCT")!.Value, 1e-12);
        var error = Assert.Throws<KeyNotFoundException>(() => result.Estimate("idh"));
        Assert.Contains("'idh'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Without limits of its own, a query is held to the configuration's (vertices, radius, overlay work);
    /// limits passed in replace them.</summary>
    [Fact]
    public void Queries_without_limits_of_their_own_are_held_to_the_configuration_limits()
    {
        var strict = DistrictAggregator.Build(
            [new("W", "West", Box(-75, -10, -74, -9)), new("M", "Middle", Box(-74, -10, -73, -9))],
            Columns(2),
            Configuration with { Limits = new AggregationLimits { MaxVertices = 5, MaxRadiusKm = 10, MaxOverlayVertices = 0 } });
        var loose = new AggregationLimits();

        Assert.Equal(QueryProblem.TooManyVertices, Assert.Throws<InvalidQueryException>(() => strict.Aggregate(BoxWithMidpoint(-74.5, -9.5, -73.5, -9.2))).Problem);
        Assert.Equal(QueryProblem.InvalidRadius, Assert.Throws<InvalidQueryException>(() => strict.AggregateCircle(-74, -9.5, 11)).Problem);
        Assert.Equal(QueryProblem.InvalidRadius, Assert.Throws<InvalidQueryException>(() => strict.CircleGeometry(-74, -9.5, 11)).Problem);
        var overlay = Assert.Throws<InvalidQueryException>(() => strict.Aggregate(BoxWithMidpoint(-74.5, -9.5, -73.5, -9.2), limits: loose with { MaxOverlayVertices = 0 }));
        Assert.Equal(nameof(AggregationLimits.MaxOverlayVertices), overlay.Limit);

        Assert.Equal(2, strict.Aggregate(BoxWithMidpoint(-74.5, -9.5, -73.5, -9.2), limits: loose).Districts);
        Assert.Equal(2, strict.AggregateCircle(-74, -9.5, 11, limits: loose).Districts);
        Assert.Equal(GeodesicCircle.DefaultVertexCount + 1, strict.CircleGeometry(-74, -9.5, 10).NumPoints);
    }

    [Fact]
    public void A_budget_refuses_a_negative_allowance_and_takes_the_limits_and_token_it_is_given()
    {
        using var source = new CancellationTokenSource();

        var budget = AggregationBudget.For(new AggregationLimits { MaxOverlayVertices = 1234 }, source.Token);

        Assert.Equal(1234, budget.MaxOverlayVertices);
        Assert.Equal(source.Token, budget.CancellationToken);
        Assert.Equal(0, budget.OverlayVertices);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AggregationBudget(-1));
        Assert.Equal("limits", Assert.Throws<ArgumentNullException>(() => AggregationBudget.For(null!)).ParamName);
        Assert.Equal(0, new AggregationBudget(0).MaxOverlayVertices);
    }
}
