using System.Diagnostics;
using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Geometries;
using TileServer.Core.Model;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Coverage;

/// <summary>
/// Turns a district layer whose neighbours overlap and leave slivers into a clean polygonal coverage: shared
/// borders are identical linework, no two districts overlap, and no gap narrower than
/// <see cref="CoverageCleaningOptions.GapWidthMetres"/> remains.
/// </summary>
/// <remarks>
/// <para>Algorithm (faces of the planar arrangement, as in ArcGIS "Integrate" or mapshaper's <c>-clean</c>):</para>
/// <list type="number">
/// <item>All rings are snap-rounded to a fixed grid and noded, and the plane is split into faces, each labelled with
/// the districts covering it (<see cref="CoverageArrangement"/>).</item>
/// <item>A face covered by one district stays with it.</item>
/// <item>A face covered by several districts (an overlap) goes to the one with the smallest source area; ties go to
/// the lowest code (ordinal). The smaller district thus keeps its published outline and the larger one, for which the
/// piece is a smaller share, gives it up, which keeps relative area changes small.</item>
/// <item>A face covered by none (a hole in the union) narrower than the gap width (maximum inscribed circle diameter
/// in a local metric frame) goes to a neighbour (owners after step 3): among the neighbours whose shared border with
/// the gap is at least half the longest shared border, the one with the largest source area; ties go to the lowest
/// code. A sliver between two districts is bounded by both about equally, so it goes to the larger one, for which it
/// is a smaller share; a neighbour touching the gap along a short stretch never gets it. On Peru this leaves 5
/// districts changing area by more than 2% (largest 5.8%), against 21 (largest 9.6%) for the longest border alone.
/// A wider hole (a lake, a river reach, land outside every district) stays a hole.</item>
/// <item>A district left with no face (every piece of it claimed by smaller districts) takes back the faces it
/// covers, so no district is ever dropped; area only ever moves between districts that touch the piece.</item>
/// <item>The edges between faces of different owners become the coverage's <see cref="CoverageTopology"/> (chains
/// between nodes, the district on each side), and each district's outline is traced from it (the chains with the
/// district on the left, split at repeated nodes into simple rings, holes into the smallest shell containing
/// them).</item>
/// </list>
/// <para>Neighbours are built from the same chains, so every shared border is the same sequence of vertices on both
/// sides, which is what <c>NetTopologySuite.Coverage.CoverageValidator</c> checks; the topology is returned with the
/// districts for everything else that needs it. Runs in O(n log n) in the
/// number of vertices when the linework is spread out as district borders are (the snap rounder only tests segments
/// that share a cell of its bucket grid); about 0.5 to 1 s on Peru (<c>benchmarks/coverage/README.md</c>). Thread
/// safety: stateless, safe from any thread; inputs are not modified.</para>
/// </remarks>
public static class CoverageCleaner
{
    /// <summary>Cleans <paramref name="districts"/> (WGS 84 lon/lat, valid) identified by <paramref name="codes"/>.</summary>
    public static CoverageCleaningResult Clean(IReadOnlyList<Geometry> districts, IReadOnlyList<string> codes,
        CoverageCleaningOptions options)
    {
        ArgumentNullException.ThrowIfNull(districts);
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(options);
        if (codes.Count != districts.Count)
        {
            throw new ArgumentException("One code per district is required.", nameof(codes));
        }

        var stopwatch = Stopwatch.StartNew();
        var rawAreas = new double[districts.Count];
        Parallel.For(0, districts.Count, LoadParallelism.Options, d => rawAreas[d] = EqualAreaProjection.AreaSquareMetres(districts[d]));

        var arrangement = CoverageArrangement.Build(districts, options.GridScale);
        var rawQuality = CoverageQuality.Measure(arrangement);
        var assignment = Assign(arrangement, rawAreas, codes, options.GapWidthMetres);

        var factory = districts.Count > 0 ? districts[0].Factory : new GeometryFactory();
        var topology = CoverageTopology.FromHalfEdges(arrangement.Boundaries(assignment.Owner), districts.Count);
        var cleaned = topology.ToGeometries(topology.Units, factory);

        var cleanedAreas = new double[districts.Count];
        for (var f = 0; f < arrangement.FaceCount; f++)
        {
            if (assignment.Owner[f] >= 0)
            {
                cleanedAreas[assignment.Owner[f]] += arrangement.FaceArea[f];
            }
        }

        var changes = new List<DistrictAreaChange>();
        double largest = 0;
        for (var d = 0; d < districts.Count; d++)
        {
            var relative = rawAreas[d] > 0 ? (cleanedAreas[d] - rawAreas[d]) / rawAreas[d] : 0;
            largest = Math.Max(largest, Math.Abs(relative));
            if (Math.Abs(relative) > options.ReportAreaChangeAbove)
            {
                changes.Add(new DistrictAreaChange(codes[d], rawAreas[d] / 1e6, cleanedAreas[d] / 1e6, relative));
            }
        }

        changes.Sort((a, b) => Math.Abs(b.RelativeChange).CompareTo(Math.Abs(a.RelativeChange)));
        stopwatch.Stop();
        var report = new CoverageCleaningReport(rawQuality, assignment.OverlapFaces, assignment.OverlapArea / 1e6,
            assignment.GapsMerged, assignment.GapsMergedArea / 1e6, assignment.HolesKept, assignment.HolesKeptArea / 1e6,
            rawAreas.Sum() / 1e6, cleanedAreas.Sum() / 1e6, changes, largest, options.GapWidthMetres, stopwatch.Elapsed);
        return new CoverageCleaningResult(cleaned, topology, report);
    }

    /// <summary>Neighbours sharing at least this fraction of the longest shared border compete on size for a gap.</summary>
    private const double ComparableBorder = 0.5;

    private sealed record Assignment(int[] Owner, int OverlapFaces, double OverlapArea, int GapsMerged,
        double GapsMergedArea, int HolesKept, double HolesKeptArea);

    private static Assignment Assign(CoverageArrangement arrangement, double[] rawAreas, IReadOnlyList<string> codes,
        double gapWidthMetres)
    {
        var faceCount = arrangement.FaceCount;
        var owner = new int[faceCount + 1];
        owner[faceCount] = -1;
        var overlapFaces = 0;
        double overlapArea = 0;
        var gapFaces = new List<int>();
        for (var f = 0; f < faceCount; f++)
        {
            var owners = arrangement.OwnersOf(f);
            switch (owners.Length)
            {
                case 0:
                    owner[f] = -1;
                    gapFaces.Add(f);
                    break;
                case 1:
                    owner[f] = owners[0];
                    break;
                default:
                    overlapFaces++;
                    overlapArea += arrangement.FaceArea[f];
                    var best = owners[0];
                    for (var k = 1; k < owners.Length; k++)
                    {
                        var candidate = owners[k];
                        var order = rawAreas[candidate].CompareTo(rawAreas[best]);
                        if (order < 0 || (order == 0 && string.CompareOrdinal(codes[candidate], codes[best]) < 0))
                        {
                            best = candidate;
                        }
                    }

                    owner[f] = best;
                    break;
            }
        }

        var narrow = new bool[gapFaces.Count];
        Parallel.For(0, gapFaces.Count, LoadParallelism.Options, k => narrow[k] = IsNarrow(arrangement, gapFaces[k], gapWidthMetres));

        int gapsMerged = 0, holesKept = 0;
        double gapsMergedArea = 0, holesKeptArea = 0;
        var sharedLength = new Dictionary<int, double>();
        for (var k = 0; k < gapFaces.Count; k++)
        {
            var gap = gapFaces[k];
            if (!narrow[k])
            {
                holesKept++;
                holesKeptArea += arrangement.FaceArea[gap];
                continue;
            }

            sharedLength.Clear();
            for (var i = arrangement.FaceHalfEdgeStart[gap]; i < arrangement.FaceHalfEdgeStart[gap + 1]; i++)
            {
                var h = arrangement.FaceHalfEdges[i];
                var neighbour = owner[arrangement.FaceOf[h ^ 1]];
                if (neighbour >= 0)
                {
                    sharedLength[neighbour] = sharedLength.GetValueOrDefault(neighbour) + arrangement.SegmentLengthMetres(h);
                }
            }

            var longest = 0.0;
            foreach (var length in sharedLength.Values)
            {
                longest = Math.Max(longest, length);
            }

            var chosen = -1;
            foreach (var (candidate, length) in sharedLength)
            {
                if (length < ComparableBorder * longest)
                {
                    continue;
                }

                if (chosen < 0 || rawAreas[candidate] > rawAreas[chosen]
                    || (rawAreas[candidate] == rawAreas[chosen] && string.CompareOrdinal(codes[candidate], codes[chosen]) < 0))
                {
                    chosen = candidate;
                }
            }

            // Gaps are merged in face order against owners fixed before any gap moved, so the rule is order-free:
            // a gap never borders another gap along an edge (crossing an edge always changes the covering set).
            owner[gap] = chosen;
            gapsMerged++;
            gapsMergedArea += arrangement.FaceArea[gap];
        }

        KeepEveryDistrict(arrangement, owner);
        return new Assignment(owner, overlapFaces, overlapArea, gapsMerged, gapsMergedArea, holesKept, holesKeptArea);
    }

    private static void KeepEveryDistrict(CoverageArrangement arrangement, int[] owner)
    {
        var hasFace = new bool[arrangement.DistrictCount];
        for (var f = 0; f < arrangement.FaceCount; f++)
        {
            if (owner[f] >= 0)
            {
                hasFace[owner[f]] = true;
            }
        }

        for (var f = 0; f < arrangement.FaceCount; f++)
        {
            foreach (var d in arrangement.OwnersOf(f))
            {
                if (!hasFace[d])
                {
                    owner[f] = d;
                }
            }
        }
    }

    /// <summary>
    /// Whether the gap's maximum inscribed circle is narrower than the width. The circle's area cannot exceed the
    /// gap's, so small gaps are decided without computing it.
    /// </summary>
    private static bool IsNarrow(CoverageArrangement arrangement, int face, double widthMetres)
    {
        var area = arrangement.FaceArea[face];
        if (2 * Math.Sqrt(area / Math.PI) < widthMetres)
        {
            return true;
        }

        var polygon = LocalMetricPolygon(arrangement, face);
        var radius = new MaximumInscribedCircle(polygon, widthMetres / 100).GetRadiusLine().Length;
        return 2 * radius < widthMetres;
    }

    private static Polygon LocalMetricPolygon(CoverageArrangement arrangement, int face)
    {
        var factory = NetTopologySuite.NtsGeometryServices.Instance.CreateGeometryFactory();
        LinearRing? shell = null;
        var holes = new List<LinearRing>();
        var start = arrangement.FaceHalfEdges[arrangement.FaceHalfEdgeStart[face]];
        var frame = new LocalFrame(arrangement.X(arrangement.Origin[start]), arrangement.Y(arrangement.Origin[start]));
        for (var k = arrangement.FaceCycleStart[face]; k < arrangement.FaceCycleStart[face + 1]; k++)
        {
            var c = arrangement.FaceCycles[k];
            var coordinates = new List<Coordinate>();
            var h = arrangement.CycleStart[c];
            do
            {
                var n = arrangement.Origin[h];
                coordinates.Add(new Coordinate(frame.X(arrangement.X(n)), frame.Y(arrangement.Y(n))));
                h = arrangement.Next[h];
            }
            while (h != arrangement.CycleStart[c]);
            coordinates.Add(coordinates[0].Copy());
            var ring = factory.CreateLinearRing([.. coordinates]);
            if (arrangement.CycleIsShell[c])
            {
                shell = ring;
            }
            else
            {
                holes.Add(ring);
            }
        }

        return factory.CreatePolygon(shell, [.. holes]);
    }
}
