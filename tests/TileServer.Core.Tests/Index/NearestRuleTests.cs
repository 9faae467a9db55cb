using NetTopologySuite.Geometries;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// The README's nearest rule: a point outside every district answers the district whose border is nearest when that
/// border is within <c>Lookup:MaxSnapMeters</c> (geodesic, WGS 84), otherwise nothing; 0 turns snapping off.
/// Distances are checked against closed forms on the WGS 84 ellipsoid written out here (arc of a parallel, arc of a
/// meridian), not against the project's geodesic code.
/// </summary>
public class NearestRuleTests
{
    private const double A = 6_378_137.0;
    private const double F = 1 / 298.257223563;
    private const double E2 = F * (2 - F);

    // A district of 0.01° x 0.01° (about 1.1 km) near Lima: its east edge at -77.0, its north edge at -12.0.
    private static readonly DistrictLocator Locator = DistrictLocator.Build([SmallLayers.Box(-77.01, -12.01, -77.0, -12.0)]);

    /// <summary>Degrees of longitude spanning <paramref name="metres"/> along the parallel at <paramref name="lat"/>:
    /// the parallel's radius is N(φ)·cos φ, N = a / √(1 − e² sin² φ).</summary>
    private static double LongitudeFor(double metres, double lat)
    {
        var phi = lat * Math.PI / 180;
        var n = A / Math.Sqrt(1 - (E2 * Math.Sin(phi) * Math.Sin(phi)));
        return metres / (n * Math.Cos(phi)) * 180 / Math.PI;
    }

    /// <summary>Degrees of latitude spanning <paramref name="metres"/> of meridian at <paramref name="lat"/>: the
    /// meridian's radius of curvature M(φ) = a (1 − e²) / (1 − e² sin² φ)^(3/2) (constant enough over a kilometre).</summary>
    private static double LatitudeFor(double metres, double lat)
    {
        var phi = lat * Math.PI / 180;
        var m = A * (1 - E2) / Math.Pow(1 - (E2 * Math.Sin(phi) * Math.Sin(phi)), 1.5);
        return metres / m * 180 / Math.PI;
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.3)]
    [InlineData(0.55)]
    [InlineData(0.75)]
    [InlineData(0.95)]
    [InlineData(0.999)]
    public void A_point_east_of_a_district_within_the_snap_distance_answers_it_at_the_geodesic_distance(double fraction)
    {
        const double maxSnap = 1000;
        var metres = fraction * maxSnap;
        var answer = Locator.Locate(-77.0 + LongitudeFor(metres, -12.005), -12.005, maxSnap);

        Assert.Equal(0, answer.District);
        Assert.Equal(LookupMatch.Nearest, answer.Match);
        Assert.Equal(metres, answer.DistanceMetres, metres * 1e-4);
    }

    [Theory]
    [InlineData(0.55)]
    [InlineData(0.95)]
    public void A_point_north_of_a_district_within_the_snap_distance_answers_it_at_the_geodesic_distance(double fraction)
    {
        const double maxSnap = 1000;
        var metres = fraction * maxSnap;
        var answer = Locator.Locate(-77.005, -12.0 + LatitudeFor(metres, -12.0), maxSnap);

        Assert.Equal(new DistrictMatch(0, LookupMatch.Nearest, answer.DistanceMetres), answer);
        Assert.Equal(metres, answer.DistanceMetres, metres * 1e-4);
    }

    [Fact]
    public void A_point_off_a_corner_within_the_snap_distance_answers_the_district()
    {
        // 600 m east and 600 m north of the north-east corner: about 849 m away.
        var answer = Locator.Locate(-77.0 + LongitudeFor(600, -12.0), -12.0 + LatitudeFor(600, -12.0), 1000);

        Assert.Equal(LookupMatch.Nearest, answer.Match);
        Assert.Equal(Math.Sqrt(2) * 600, answer.DistanceMetres, 1.0);
        Assert.False(Locator.Locate(-77.0 + LongitudeFor(600, -12.0), -12.0 + LatitudeFor(600, -12.0), 800).Found);
    }

    [Theory]
    [InlineData(1000, 1.001)]
    [InlineData(1000, 1.05)]
    [InlineData(250, 1.01)]
    [InlineData(5000, 1.002)]
    public void A_point_just_beyond_the_snap_distance_answers_nothing(double maxSnap, double fraction)
    {
        var lon = -77.0 + LongitudeFor(fraction * maxSnap, -12.005);

        Assert.Equal(DistrictMatch.NotFound, Locator.Locate(lon, -12.005, maxSnap));
        Assert.True(Locator.Locate(lon, -12.005, maxSnap * fraction * 1.001).Found, "the same point within a slightly larger limit");
    }

    [Fact]
    public void A_snap_distance_of_zero_turns_snapping_off()
    {
        var oneMetreEast = -77.0 + LongitudeFor(1, -12.005);

        Assert.Equal(DistrictMatch.NotFound, Locator.Locate(oneMetreEast, -12.005, 0));
        Assert.Equal(LookupMatch.Nearest, Locator.Locate(oneMetreEast, -12.005, 2).Match);
        Assert.Equal(new DistrictMatch(0, LookupMatch.Inside, 0), Locator.Locate(-77.005, -12.005, 0));
        Assert.Equal(new DistrictMatch(0, LookupMatch.Boundary, 0), Locator.Locate(-77.0, -12.005, 0));
    }

    [Fact]
    public void The_nearest_border_wins_whatever_the_order_of_the_districts()
    {
        // Two districts east and west of a gap; the point is 300 m from the east one and 700 m from the west one.
        var east = SmallLayers.Box(-77.0, -12.01, -76.99, -12.0);
        var gap = LongitudeFor(1000, -12.005);
        var westEdge = -77.0 - gap;
        var locator = DistrictLocator.Build([SmallLayers.Box(-77.02, -12.01, westEdge, -12.0), east]);
        var point = -77.0 - LongitudeFor(300, -12.005);

        var answer = locator.Locate(point, -12.005, 1000);
        Assert.Equal(1, answer.District);
        Assert.Equal(300, answer.DistanceMetres, 0.05);
        Assert.Equal(0, DistrictLocator.Build([east, SmallLayers.Box(-77.02, -12.01, westEdge, -12.0)]).Locate(point, -12.005, 1000).District);
    }
    [Fact]
    public void Two_districts_at_exactly_the_same_distance_answer_the_lower_index_whatever_their_order()
    {
        // The point (0, 0) and two boxes mirrored about the meridian through it: every distance computed to one is
        // computed to the other with its sign flipped, so the two are equal to the last bit. A third box, farther
        // and listed first in some orders, must not win for its lower index (it is within the
        // limit, 5.6 km away).
        var east = SmallLayers.Box(0.01, -0.01, 0.02, 0.01);
        var west = SmallLayers.Box(-0.02, -0.01, -0.01, 0.01);
        var far = SmallLayers.Box(0.05, -0.01, 0.06, 0.01);
        var metres = 0.01 / LongitudeFor(1, 0); // 0.01° of the equator
        Geometry[][] orders = [[east, west], [west, east], [far, east, west], [far, west, east], [east, far, west], [west, far, east]];
        foreach (var districts in orders)
        {
            var expected = Array.FindIndex(districts, d => d != far);
            var answer = DistrictLocator.Build(districts).Locate(0, 0, 10_000);

            Assert.Equal(expected, answer.District);
            Assert.Equal(LookupMatch.Nearest, answer.Match);
            Assert.Equal(metres, answer.DistanceMetres, metres * 1e-6);
        }
    }

    [Fact]
    public void A_farther_district_with_a_lower_index_never_replaces_a_nearer_one_whatever_the_search_visits_first()
    {
        // The nearer district (1.1 km east of the point) is listed second, the farther one (about 5.6 km away, within
        // the limit) first, in each of eight directions; 200 districts far out of reach make the envelope index sort
        // its boxes along its space-filling curve, which then visits the nearer one first (checked against NTS's
        // HPRtree directly when the test was written), so that the farther one, met last, must not win for its lower
        // index. Only a tie in distance goes to the lower index.
        var near = SmallLayers.Box(0.01, -0.01, 0.02, 0.01);
        var outOfReach = Enumerable.Range(0, 200).Select(i => SmallLayers.Box((i % 20) - 10, 5 + (i / 20), (i % 20) - 9.5, 5.5 + (i / 20))).ToArray();
        for (var k = 0; k < 8; k++)
        {
            var (cx, cy) = (0.06 * Math.Cos(k * Math.PI / 4), 0.06 * Math.Sin(k * Math.PI / 4));
            var far = SmallLayers.Box(cx - 0.005, cy - 0.005, cx + 0.005, cy + 0.005);

            var answer = DistrictLocator.Build([far, near, .. outOfReach]).Locate(0, 0, 10_000);

            Assert.Equal(new DistrictMatch(1, LookupMatch.Nearest, answer.DistanceMetres), answer);
            Assert.Equal(0.01 / LongitudeFor(1, 0), answer.DistanceMetres, 1e-3);
        }
    }

    [Fact]
    public void A_point_exactly_at_the_snap_distance_answers_the_district_and_one_ulp_of_distance_less_does_not()
    {
        // 700 m east of the district (closed form of the parallel's arc); the limit is inclusive.
        var lon = -77.0 + LongitudeFor(700, -12.005);
        var distance = Locator.Locate(lon, -12.005, 1000).DistanceMetres;
        Assert.Equal(700, distance, 700 * 1e-4);

        Assert.Equal(new DistrictMatch(0, LookupMatch.Nearest, distance), Locator.Locate(lon, -12.005, distance));
        Assert.Equal(DistrictMatch.NotFound, Locator.Locate(lon, -12.005, Math.BitDecrement(distance)));
    }
    [Fact]
    public void Without_a_district_within_reach_a_point_is_not_found_even_beside_0_0()
    {
        // (0.001, 0.001) is 157 m from (0, 0), where an unset "closest point" would sit.
        Assert.Equal(DistrictMatch.NotFound, Locator.Locate(0.001, 0.001, 1000));
        Assert.Equal(DistrictMatch.NotFound, Locator.Locate(-76.9, -12.005, 1000));
    }

    [Fact]
    public void The_nearest_border_is_the_nearest_in_metres_not_in_degrees_at_60_degrees_south()
    {
        // At 60°S a degree of longitude is half a degree of latitude: the border 670 m east is 0.012° away, the one
        // 556 m north 0.005°; the north one wins, at its distance.
        var eastEdge = LongitudeFor(670, -60);
        var northEdge = -60 + LatitudeFor(556, -60);
        var east = SmallLayers.Box(eastEdge, -60.01, eastEdge + 0.01, -59.9);
        var north = SmallLayers.Box(-0.01, northEdge, eastEdge / 2, -59.9);
        foreach (var (districts, expected) in new[] { (new Geometry[] { east, north }, 1), ([north, east], 0) })
        {
            var answer = DistrictLocator.Build(districts).Locate(0, -60, 1000);

            Assert.Equal(expected, answer.District);
            Assert.Equal(556, answer.DistanceMetres, 556 * 1e-4);
        }
    }

    [Fact]
    public void A_point_50_km_south_of_a_border_at_45_degrees_is_the_meridian_arc_away()
    {
        // The meridian arc from 45.45°S to 45°S, ∫ M(φ) dφ by Simpson's rule over 1,000 steps (exact to well under a
        // millimetre); the arc of the same length north of the point would be about 4 m longer.
        static double M(double degrees)
        {
            var sin = Math.Sin(degrees * Math.PI / 180);
            return A * (1 - E2) / Math.Pow(1 - (E2 * sin * sin), 1.5);
        }

        const int steps = 1000;
        double from = -45.45, to = -45.0, step = (to - from) / steps;
        var sum = M(from) + M(to);
        for (var i = 1; i < steps; i++)
        {
            sum += (i % 2 == 0 ? 2 : 4) * M(from + (i * step));
        }

        var arc = sum * step / 3 * Math.PI / 180;
        var locator = DistrictLocator.Build([SmallLayers.Box(-0.1, -45.0, 0.1, -44.0)]);
        var answer = locator.Locate(0, from, 60_000);

        Assert.Equal(LookupMatch.Nearest, answer.Match);
        Assert.Equal(arc, answer.DistanceMetres, 0.01);
        Assert.InRange(arc, 49_000, 51_000);
    }
}
