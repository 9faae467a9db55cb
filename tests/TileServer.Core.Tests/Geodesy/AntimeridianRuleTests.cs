using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Core.Geodesy;
using TileServer.Core.Tests.Aggregation;

namespace TileServer.Core.Tests.Geodesy;

/// <summary>
/// Issue 17, defect 7, the antimeridian rule (README, "Antimeridian"): a ring edge whose longitudes differ by more than
/// 180° crosses the antimeridian the short way and the polygon is cut there (RFC 7946, 3.1.9); an edge with both ends
/// on ±180 stays as written; a ring round a pole is refused; a bbox whose minLon is above its maxLon crosses too.
/// </summary>
public sealed class AntimeridianRuleTests
{
    private static readonly SyntheticCoverage Synthetic = SyntheticCoverage.Create(200, seed: 7);

    private static readonly GeometryFactory Factory = SyntheticCoverage.Factory;

    private static Polygon Ring(params double[] lonLat)
    {
        var coordinates = new Coordinate[lonLat.Length / 2];
        for (var i = 0; i < coordinates.Length; i++)
        {
            coordinates[i] = new Coordinate(lonLat[2 * i], lonLat[(2 * i) + 1]);
        }

        return Factory.CreatePolygon(coordinates);
    }

    private static Polygon Box(double west, double south, double east, double north) =>
        (Polygon)Factory.ToGeometry(new Envelope(west, east, south, north));

    /// <summary>The ring: before the rule, 200 with the whole synthetic coverage and 123.7 million km².</summary>
    [Fact]
    public void A_ring_across_the_antimeridian_is_the_20_degree_box_it_means_not_its_complement()
    {
        var uncut = Ring(170, -20, -170, -20, -170, 10, 170, 10, 170, -20);
        var cut = Factory.CreateMultiPolygon([Box(170, -20, 180, 10), Box(-180, -20, -170, 10)]);

        var answer = Synthetic.Aggregator.Aggregate(uncut);
        var expected = Synthetic.Aggregator.Aggregate(cut);

        Assert.Equal(0, answer.Districts);
        Assert.Equal(0, answer.Population);
        Assert.Equal(expected.QueryAreaKm2, answer.QueryAreaKm2, expected.QueryAreaKm2 * 1e-9);
        Assert.InRange(answer.QueryAreaKm2, 7.0e6, 7.6e6);
    }

    [Fact]
    public void A_bbox_whose_west_edge_is_east_of_its_east_edge_crosses_the_antimeridian()
    {
        var box = Synthetic.Aggregator.AggregateBox(170, -20, -170, 10);
        var ring = Synthetic.Aggregator.Aggregate(Ring(170, -20, -170, -20, -170, 10, 170, 10, 170, -20));

        Assert.Equal(ring.QueryAreaKm2, box.QueryAreaKm2, ring.QueryAreaKm2 * 1e-9);
        Assert.Equal(0, box.Population);
    }

    /// <summary>Edges along ±180 are taken as written: the whole-world band holds every district.</summary>
    [Fact]
    public void The_whole_world_band_from_minus_180_to_180_is_taken_as_written()
    {
        var world = Ring(-180, -60, 180, -60, 180, 10, -180, 10, -180, -60);
        var everything = Synthetic.Aggregator.AggregateBox(SyntheticCoverage.MinLon, SyntheticCoverage.MinLat, SyntheticCoverage.MaxLon, SyntheticCoverage.MaxLat);

        var answer = Synthetic.Aggregator.Aggregate(world);

        Assert.False(Antimeridian.Crosses(world));
        Assert.Equal(everything.Districts, answer.Districts);
        Assert.Equal(everything.Population, answer.Population, everything.Population * 1e-9);
    }

    [Fact]
    public void A_ring_round_a_pole_is_refused()
    {
        var polar = Ring(-170, 80, -50, 80, 70, 80, -170, 80);

        var error = Assert.Throws<InvalidQueryException>(() => Synthetic.Aggregator.Aggregate(polar));

        Assert.Equal(QueryProblem.AroundPole, error.Problem);
        Assert.Null(Antimeridian.Unwrap(polar));
    }

    /// <summary>The parts of a cut add up to the uncut polygon's plane area, each lies in [-180, 180], and a hole written
    /// on the other side of the antimeridian from its shell is still a hole.</summary>
    [Fact]
    public void The_cut_parts_add_up_and_keep_a_hole_written_across_the_line()
    {
        var shell = new Coordinate[] { new(175, -10), new(-175, -10), new(-175, 10), new(175, 10), new(175, -10) };
        var hole = new Coordinate[] { new(-179, -1), new(-179, 1), new(-177, 1), new(-177, -1), new(-179, -1) };
        var polygon = Factory.CreatePolygon(Factory.CreateLinearRing(shell), [Factory.CreateLinearRing(hole)]);

        var unwrapped = Antimeridian.Unwrap(polygon)!;
        var parts = Antimeridian.Split(unwrapped);

        Assert.Equal((10 * 20) - (2 * 2), unwrapped.Area, 1e-9);
        Assert.Equal(unwrapped.Area, parts.Area, 1e-9);
        Assert.Equal(2, parts.NumGeometries);
        Assert.InRange(parts.EnvelopeInternal.MinX, -180, -175);
        Assert.InRange(parts.EnvelopeInternal.MaxX, 175, 180);
        Assert.True(parts.IsValid);
    }

    /// <summary>A self-intersecting ring across the line is repaired with continuous longitudes, then cut.</summary>
    [Fact]
    public void A_bow_tie_across_the_antimeridian_is_repaired_then_cut()
    {
        var bowTie = Ring(170, -10, -170, 10, -170, -10, 170, 10, 170, -10);

        var validated = QueryValidator.ValidatePolygonal(bowTie, new AggregationLimits());

        Assert.NotNull(validated.Repair);
        Assert.True(validated.Geometry.IsValid);
        Assert.Equal(200, validated.Geometry.Area, 1e-6);
        Assert.InRange(validated.Geometry.EnvelopeInternal.Width, 359, 360);
    }
}
