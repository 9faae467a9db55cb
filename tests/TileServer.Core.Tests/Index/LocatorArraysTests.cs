using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// The lookup index as a snapshot file stores it (<see cref="DistrictLocator"/>'s <c>ToArrays</c> and
/// <c>FromArrays</c>): an index taken back from its arrays answers every point as the exact predicate does and as the
/// built one does, and arrays whose sizes disagree are refused (with the message prefix the snapshot reader turns
/// into a "damaged file" error) before a lookup could read past an array's end.
/// </summary>
public class LocatorArraysTests
{
    /// <summary>A district with a hole, two districts sharing a border longer than the fixed-point range of the small
    /// cells (its edge is kept in doubles), and a block of small boxes that makes the cells small.</summary>
    private static Geometry[] Districts()
    {
        var shell = SmallLayers.Factory.CreateLinearRing([new(-10, 0), new(-10, 10), new(-2, 10), new(-2, 0), new(-10, 0)]);
        var hole = SmallLayers.Factory.CreateLinearRing([new(-7, 3), new(-5, 3), new(-5, 6), new(-7, 6), new(-7, 3)]);
        return
        [
            SmallLayers.Factory.CreatePolygon(shell, [hole]),
            SmallLayers.Ring((0, 0), (30, 0), (30, 19.7), (0, 10.1)),
            SmallLayers.Ring((0, 10.1), (30, 19.7), (30, 30), (0, 30)),
            .. Enumerable.Range(0, 100).Select(i => SmallLayers.Box(40 + (i % 10), i / 10, 41 + (i % 10), 1 + (i / 10))),
        ];
    }

    [Fact]
    public void An_index_taken_back_from_its_arrays_answers_every_point_as_the_exact_predicate_and_the_built_index()
    {
        var districts = Districts();
        var oracle = new ExactOracle(districts);
        var topology = CoverageTopology.FromCoverage(districts) ?? throw new InvalidOperationException("not a coverage");
        foreach (var built in new[] { DistrictLocator.Build(topology), DistrictLocator.Build(districts) })
        {
            var copy = DistrictLocator.FromArrays(built.ToArrays());

            Assert.Equal(districts.Length, copy.DistrictCount);
            Assert.Equal(built.EdgeCount, copy.EdgeCount);
            Assert.Equal(built.NodeCount, copy.NodeCount);
            Assert.Equal(built.LeafEdgeCount, copy.LeafEdgeCount);

            var random = new Random(11);
            var points = Enumerable.Range(0, 5_000).Select(_ => (X: (random.NextDouble() * 64) - 12, Y: (random.NextDouble() * 34) - 2))
                .Concat(districts.SelectMany(d => d.Coordinates).Select(c => (c.X, c.Y)))
                .Concat(Enumerable.Range(0, 300).Select(i => (X: 30.0 * i / 300, Y: 10.1 + (9.6 * i / 300))));
            var disagreements = new List<string>();
            foreach (var (x, y) in points)
            {
                var answer = copy.LocateCovering(x, y);
                if (oracle.Disagreement(x, y, answer) is { } problem)
                {
                    disagreements.Add(problem);
                }

                // Outside every district the nearest search runs on the segments and the envelope tree rebuilt from them.
                Assert.Equal(built.Locate(x, y, 50_000), copy.Locate(x, y, 50_000));
            }

            Assert.Empty(disagreements.Take(10));
        }
    }

    [Fact]
    public void The_nearest_search_of_an_index_taken_back_from_its_arrays_finds_each_district_by_its_own_border()
    {
        // Two districts 0.01° apart near Lima; points in the gap snap to the nearer one, a kilometre out to nothing.
        var locator = DistrictLocator.FromArrays(DistrictLocator.Build(
            [SmallLayers.Box(-77.02, -12.01, -77.01, -12.0), SmallLayers.Box(-77.0, -12.01, -76.99, -12.0)]).ToArrays());

        var west = locator.Locate(-77.009, -12.005, 500);
        var east = locator.Locate(-77.001, -12.005, 500);

        Assert.Equal((0, LookupMatch.Nearest), (west.District, west.Match));
        Assert.Equal((1, LookupMatch.Nearest), (east.District, east.Match));
        Assert.InRange(west.DistanceMetres, 108, 110);
        Assert.InRange(east.DistanceMetres, 108, 110);
        Assert.False(locator.Locate(-76.98, -12.005, 500).Found);
    }

    [Fact]
    public void An_index_of_no_districts_is_one_empty_cell_and_is_taken_back_from_its_arrays()
    {
        // The smallest arrays that agree: one column, one row, one node, one segment start and no segments.
        var arrays = DistrictLocator.Build(Array.Empty<Geometry>()).ToArrays();
        Assert.Equal((1, 1, 1, 1), (arrays.Columns, arrays.Rows, arrays.Nodes.Length, arrays.SegmentStart.Length));

        var copy = DistrictLocator.FromArrays(arrays);

        Assert.Equal(0, copy.DistrictCount);
        Assert.Equal(DistrictMatch.NotFound, copy.Locate(0.5, 0.5, 1000));
    }

    /// <summary>Arrays broken one size at a time; each must be refused.</summary>
    public static TheoryData<string> Breaks() =>
    [
        "no columns", "no rows", "columns times rows overflowing an int", "no segment starts", "fixed scales of different depths",
        "edges not in fours", "fewer nodes than top cells", "segment ay short", "segment bx short", "segment by short",
        "segments not starting at 0", "segment starts not ending at the segment count",
    ];

    [Theory]
    [MemberData(nameof(Breaks))]
    public void Arrays_whose_sizes_disagree_are_refused_as_a_damaged_index(string broken)
    {
        var arrays = DistrictLocator.Build(Districts()).ToArrays();
        var segments = arrays.SegmentAx.Length;
        var bad = broken switch
        {
            "no columns" => arrays with { Columns = 0 },
            "no rows" => arrays with { Rows = 0 },
            "columns times rows overflowing an int" => arrays with { Columns = 1 << 16, Rows = 1 << 16 },
            "no segment starts" => arrays with { SegmentStart = [] },
            "fixed scales of different depths" => arrays with { FixedScaleY = arrays.FixedScaleY[..^1] },
            "edges not in fours" => arrays with { Edges = [.. arrays.Edges, 0] },
            "fewer nodes than top cells" => arrays with { Nodes = arrays.Nodes[..((arrays.Columns * arrays.Rows) - 1)] },
            "segment ay short" => arrays with { SegmentAy = arrays.SegmentAy[..^1] },
            "segment bx short" => arrays with { SegmentBx = arrays.SegmentBx[..^1] },
            "segment by short" => arrays with { SegmentBy = arrays.SegmentBy[..^1] },
            "segments not starting at 0" => arrays with { SegmentStart = [1, .. arrays.SegmentStart[1..]] },
            "segment starts not ending at the segment count" => arrays with { SegmentStart = [.. arrays.SegmentStart[..^1], segments - 1] },
            _ => throw new ArgumentOutOfRangeException(nameof(broken)),
        };

        var error = Assert.Throws<InvalidDataException>(() => DistrictLocator.FromArrays(bad));
        Assert.StartsWith("the lookup index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_from_nothing_or_taking_back_no_arrays_is_refused_by_name()
    {
        Assert.Equal("topology", Assert.Throws<ArgumentNullException>(() => DistrictLocator.Build((CoverageTopology)null!)).ParamName);
        Assert.Equal("districts", Assert.Throws<ArgumentNullException>(() => DistrictLocator.Build((IReadOnlyList<Geometry>)null!)).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentNullException>(() => DistrictLocator.FromArrays(null!)).ParamName);
    }
}
