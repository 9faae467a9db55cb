using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Sample;
using TileServer.Core.Tests.Support;
using CoverageUnion = NetTopologySuite.Coverage.CoverageUnion;

namespace TileServer.Core.Tests.Coverage;

/// <summary>Hand-made coverages whose topology is known by construction, checked against NTS.</summary>
public class CoverageTopologyTests
{
    private static readonly GeometryFactory Factory = new();

    private static Polygon Box(double x0, double y0, double x1, double y1, params LinearRing[] holes) =>
        Factory.CreatePolygon(Factory.CreateLinearRing([new(x0, y0), new(x1, y0), new(x1, y1), new(x0, y1), new(x0, y0)]), holes);

    private static LinearRing HoleRing(double x0, double y0, double x1, double y1) =>
        Factory.CreateLinearRing([new(x0, y0), new(x0, y1), new(x1, y1), new(x1, y0), new(x0, y0)]);

    private static CoverageTopology Topology(params Geometry[] units) =>
        CoverageTopology.FromCoverage(units) ?? throw new ArgumentException("not a coverage");

    private static HashSet<(double X, double Y)> NodeCoordinates(CoverageTopology topology)
    {
        var nodes = new HashSet<(double, double)>();
        for (var c = 0; c < topology.ChainCount; c++)
        {
            nodes.Add((topology.ChainX(c)[0], topology.ChainY(c)[0]));
            nodes.Add((topology.ChainX(c)[^1], topology.ChainY(c)[^1]));
        }

        return nodes;
    }

    [Fact]
    public void A_shared_border_is_one_chain_with_a_unit_on_each_side()
    {
        Geometry[] units = [Box(0, 0, 1, 1), Box(1, 0, 2, 1)];
        var topology = Topology(units);

        TopologyOracle.AssertSidesMatch(topology, units);
        var shared = Enumerable.Range(0, topology.ChainCount).Single(c => topology.LeftUnit(c) >= 0 && topology.RightUnit(c) >= 0);
        Assert.Equal([1.0, 1.0], topology.ChainX(shared).ToArray());
        Assert.Equal([0.0, 1.0], topology.ChainY(shared).ToArray().Order());
        Assert.Equal([0, 1], new[] { topology.LeftUnit(shared), topology.RightUnit(shared) }.Order());

        // Two nodes (the ends of the shared border), three chains: the shared one and each square's outer border.
        Assert.Equal(2, topology.NodeCount);
        Assert.Equal(3, topology.ChainCount);
        Assert.Equal(7, topology.SegmentCount);
    }

    [Fact]
    public void Nodes_are_where_three_units_or_two_units_and_the_outside_meet()
    {
        // A wide unit below two squares (with a vertex where they meet, (1, 1)); the borders meet the outside at (0, 1),
        // (2, 1) and (1, 2).
        var below = Factory.CreatePolygon([new(0, 0), new(2, 0), new(2, 1), new(1, 1), new(0, 1), new(0, 0)]);
        Geometry[] units = [below, Box(0, 1, 1, 2), Box(1, 1, 2, 2)];
        var topology = Topology(units);

        TopologyOracle.AssertSidesMatch(topology, units);
        Assert.Equal(4, topology.NodeCount);
        Assert.Equal([(0.0, 1.0), (1.0, 1.0), (1.0, 2.0), (2.0, 1.0)], NodeCoordinates(topology).Order());
        Assert.Equal(6, topology.ChainCount);
        for (var c = 0; c < topology.ChainCount; c++)
        {
            Assert.NotEqual(topology.StartNode(c), topology.EndNode(c));
        }
    }

    [Fact]
    public void A_hole_an_enclave_an_island_and_a_lake_get_their_rings_and_rings_without_node_their_smallest_vertex()
    {
        Geometry[] units =
        [
            Box(0, 0, 3, 3, HoleRing(1, 1, 2, 2)),      // host of an enclave
            Box(1, 1, 2, 2),                            // the enclave
            Box(5, 5, 6, 6),                            // an island
            Box(10, 0, 13, 3, HoleRing(11, 1, 12, 2)),  // a unit around a lake no unit owns
        ];
        var topology = Topology(units);

        TopologyOracle.AssertSidesMatch(topology, units);

        // Every ring is a chain of its own, closed on its smallest vertex: no vertex has other than two neighbours.
        Assert.Equal(5, topology.ChainCount);
        Assert.Equal(5, topology.NodeCount);
        for (var c = 0; c < topology.ChainCount; c++)
        {
            var x = topology.ChainX(c).ToArray();
            var y = topology.ChainY(c).ToArray();
            Assert.Equal(topology.StartNode(c), topology.EndNode(c));
            Assert.Equal(5, x.Length);
            Assert.Equal((x[0], y[0]), (x[^1], y[^1]));
            Assert.Equal(x.Min(), x[0]);
            Assert.Equal(y.Where((_, i) => x[i] == x[0]).Min(), y[0]);
        }

        var enclaveRing = Enumerable.Range(0, topology.ChainCount).Single(c => topology.ChainX(c)[0] == 1);
        Assert.Equal([0, 1], new[] { topology.LeftUnit(enclaveRing), topology.RightUnit(enclaveRing) }.Order());
        var lakeRing = Enumerable.Range(0, topology.ChainCount).Single(c => topology.ChainX(c)[0] == 11);
        Assert.Equal([-1, 3], new[] { topology.LeftUnit(lakeRing), topology.RightUnit(lakeRing) }.Order());

        // The host's hole and the enclave's shell are the same chain, run in opposite directions.
        var rings = topology.Units;
        var host = rings.PolygonStart(0);
        Assert.Equal(1, rings.PolygonStart(1) - host);
        Assert.Equal(2, rings.RingStart(host + 1) - rings.RingStart(host));
        var hole = rings.Ring(rings.RingStart(host) + 1).ToArray();
        var enclave = rings.Ring(rings.RingStart(rings.PolygonStart(1))).ToArray();
        Assert.Equal([enclaveRing], hole.Select(ChainPolygons.Chain));
        Assert.Equal([enclaveRing], enclave.Select(ChainPolygons.Chain));
        Assert.NotEqual(ChainPolygons.IsReversed(hole[0]), ChainPolygons.IsReversed(enclave[0]));

        var rebuilt = topology.ToGeometries(rings, Factory);
        for (var u = 0; u < units.Length; u++)
        {
            Assert.True(rebuilt[u].IsValid);
            Assert.True(rebuilt[u].EqualsTopologically(units[u]), $"unit {u}: {rebuilt[u]} is not {units[u]}");
        }
    }

    [Fact]
    public void Dissolving_groups_gives_the_shape_and_area_of_nts_coverage_union()
    {
        // A 4 x 4 grid of unit squares in groups (row by row from y = 0): a ring of eight around one cell (a hole
        // filled by group 1), two cells apart (group 2), three apart (group 3), two touching only at a corner (group 4).
        var grid = new Geometry[16];
        for (var i = 0; i < 16; i++)
        {
            grid[i] = Box(i % 4, i / 4, (i % 4) + 1, (i / 4) + 1);
        }

        int[] groups =
        [
            0, 0, 0, 3,
            0, 1, 0, 2,
            0, 0, 0, 4,
            2, 3, 4, 3,
        ];
        var topology = Topology(grid);

        var dissolved = topology.ToGeometries(topology.Dissolve(groups, 5), Factory);

        Assert.Equal(5, dissolved.Length);
        for (var g = 0; g < 5; g++)
        {
            var union = CoverageUnion.Union([.. grid.Where((_, i) => groups[i] == g)]);
            Assert.True(dissolved[g].IsValid, $"group {g}: {dissolved[g]}");
            Assert.Equal(union.Area, dissolved[g].Area, 12);
            Assert.True(dissolved[g].EqualsTopologically(union), $"group {g}: {dissolved[g]} is not {union}");
        }

        Assert.Equal(1, ((Polygon)dissolved[0]).NumInteriorRings);
        Assert.Equal(2, dissolved[2].NumGeometries);
        Assert.Equal(3, dissolved[3].NumGeometries);
        Assert.Equal(2, dissolved[4].NumGeometries);
    }

    [Fact]
    public void A_group_without_units_is_an_empty_polygon_and_a_wrong_group_is_refused()
    {
        var topology = Topology(Box(0, 0, 1, 1), Box(1, 0, 2, 1));

        var dissolved = topology.ToGeometries(topology.Dissolve([1, 1], 2), Factory);

        Assert.True(dissolved[0].IsEmpty);
        Assert.Equal(2, dissolved[1].Area, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => topology.Dissolve([0, 2], 2));
        Assert.Throws<ArgumentException>(() => topology.Dissolve([0], 1));
    }

    [Fact]
    public void A_layer_that_is_not_a_coverage_has_no_topology()
    {
        // Overlapping squares.
        Assert.Null(CoverageTopology.FromCoverage([Box(0, 0, 1.2, 1), Box(1, 0, 2, 1)]));

        // A shared border with a vertex on one side only.
        var withExtraVertex = Factory.CreatePolygon([new(1, 0), new(2, 0), new(2, 1), new(1, 1), new(1, 0.5), new(1, 0)]);
        Assert.Null(CoverageTopology.FromCoverage([Box(0, 0, 1, 1), withExtraVertex]));

        // The same square twice.
        Assert.Null(CoverageTopology.FromCoverage([Box(0, 0, 1, 1), Box(0, 0, 1, 1)]));

        // An invalid polygon (a bow tie).
        Assert.Null(CoverageTopology.FromCoverage([Factory.CreatePolygon([new(0, 0), new(1, 1), new(1, 0), new(0, 1), new(0, 0)])]));

        // A point is not a polygon.
        Assert.Null(CoverageTopology.FromCoverage([Factory.CreatePoint(new Coordinate(0, 0))]));

        // Squares that only touch, and a gap between units, are a coverage.
        Assert.NotNull(CoverageTopology.FromCoverage([Box(0, 0, 1, 1), Box(1, 1, 2, 2), Box(3, 0, 4, 1)]));
    }

    [Fact]
    public void From_coverage_on_the_cleaned_sample_is_the_topology_the_cleaner_built()
    {
        using var temp = new TempFolder();
        var sample = SampleCountryGenerator.Generate(new SampleCountryOptions { DistrictCount = 300, Seed = 1, OutputDirectory = temp.Path });
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(sample.ShapefilePath);
        var codes = features.Select(f => (string)f.Attributes["UBIGEO"]).ToArray();
        var cleaned = CoverageCleaner.Clean([.. features.Select(f => f.Geometry)], codes, CoverageCleaningOptions.Default);

        var fromCoverage = CoverageTopology.FromCoverage(cleaned.Districts);

        Assert.NotNull(fromCoverage);
        TopologyOracle.AssertSidesMatch(cleaned.Topology, cleaned.Districts);
        Assert.Equal(cleaned.Topology.UnitCount, fromCoverage.UnitCount);
        Assert.Equal(cleaned.Topology.NodeCount, fromCoverage.NodeCount);
        Assert.Equal(Chains(cleaned.Topology), Chains(fromCoverage));
        Assert.Equal(NodeCoordinates(cleaned.Topology).Order(), NodeCoordinates(fromCoverage).Order());
        var rebuilt = fromCoverage.ToGeometries(fromCoverage.Units, Factory);
        for (var u = 0; u < rebuilt.Length; u++)
        {
            Assert.True(Normalized(rebuilt[u]).EqualsExact(Normalized(cleaned.Districts[u])), $"unit {codes[u]} differs");
        }
    }

    /// <summary>Each chain as text: its vertices from the smaller end (reversed with its sides swapped if need be).</summary>
    private static List<string> Chains(CoverageTopology topology)
    {
        var chains = new List<string>();
        for (var c = 0; c < topology.ChainCount; c++)
        {
            var points = topology.ChainX(c).ToArray().Zip(topology.ChainY(c).ToArray()).ToList();
            var (left, right) = (topology.LeftUnit(c), topology.RightUnit(c));
            var reversed = Enumerable.Reverse(points).ToList();
            if (string.CompareOrdinal(string.Join(";", reversed), string.Join(";", points)) < 0)
            {
                (points, left, right) = (reversed, right, left);
            }

            chains.Add($"{left}|{right}|{string.Join(";", points)}");
        }

        chains.Sort(StringComparer.Ordinal);
        return chains;
    }

    private static Geometry Normalized(Geometry geometry)
    {
        var copy = geometry.Copy();
        copy.Normalize();
        return copy;
    }
}
