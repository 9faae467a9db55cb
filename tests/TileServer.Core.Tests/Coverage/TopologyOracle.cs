using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Coverage;

namespace TileServer.Core.Tests.Coverage;

/// <summary>
/// Checks a <see cref="CoverageTopology"/> against the geometries it claims to describe, with NTS predicates only (no
/// code of the topology): every chain segment's two sides, and every unit's area.
/// </summary>
public static class TopologyOracle
{
    /// <summary>
    /// For every segment of every chain, the unit on its left (right) is the one whose geometry contains a point just
    /// left (right) of the segment's midpoint, or -1 when none does; and the chains' segments are distinct. "Just" is
    /// 1e-11 (a micrometre in degrees): far below the narrowest face of a coverage on the cleaner's 1e-7 degree grid,
    /// far above the rounding of the offset point.
    /// </summary>
    public static void AssertSidesMatch(CoverageTopology topology, IReadOnlyList<Geometry> units)
    {
        var tree = new STRtree<int>();
        for (var u = 0; u < units.Count; u++)
        {
            tree.Insert(units[u].EnvelopeInternal, u);
        }

        tree.Build();
        var locators = units.Select(u => new IndexedPointInAreaLocator(u)).ToArray();
        int Containing(Coordinate point)
        {
            var found = -1;
            foreach (var u in tree.Query(new Envelope(point)))
            {
                if (locators[u].Locate(point) == Location.Interior)
                {
                    Assert.True(found < 0, $"{point} lies in units {found} and {u}");
                    found = u;
                }
            }

            return found;
        }

        var segments = new HashSet<(double, double, double, double)>();
        for (var c = 0; c < topology.ChainCount; c++)
        {
            var x = topology.ChainX(c).ToArray();
            var y = topology.ChainY(c).ToArray();
            Assert.True(x.Length >= 2, $"chain {c} has {x.Length} vertices");
            for (var i = 0; i + 1 < x.Length; i++)
            {
                var key = x[i] < x[i + 1] || (x[i] == x[i + 1] && y[i] < y[i + 1]) ? (x[i], y[i], x[i + 1], y[i + 1]) : (x[i + 1], y[i + 1], x[i], y[i]);
                Assert.True(segments.Add(key), $"segment {key} appears twice");
                double dx = x[i + 1] - x[i], dy = y[i + 1] - y[i];
                var offset = 1e-11 / Math.Sqrt((dx * dx) + (dy * dy));
                double mx = (x[i] + x[i + 1]) / 2, my = (y[i] + y[i + 1]) / 2;
                Assert.Equal(Containing(new Coordinate(mx - (dy * offset), my + (dx * offset))), topology.LeftUnit(c));
                Assert.Equal(Containing(new Coordinate(mx + (dy * offset), my - (dx * offset))), topology.RightUnit(c));
            }
        }
    }
}
