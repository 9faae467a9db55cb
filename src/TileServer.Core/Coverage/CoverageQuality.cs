using NetTopologySuite.Geometries;

namespace TileServer.Core.Coverage;

/// <summary>How far a district layer is from a clean polygonal coverage.</summary>
/// <param name="OverlappingPairs">Pairs of districts whose interiors intersect with positive area.</param>
/// <param name="OverlapAreaSquareKilometres">Sum over those pairs of the area of their intersection.</param>
/// <param name="LargestOverlapSquareKilometres">The largest intersection area of a single pair.</param>
/// <param name="OverlapRegionSquareKilometres">Area covered by two or more districts (a triple overlap counts once).</param>
/// <param name="Gaps">Holes in the union of all districts (lakes and slivers alike).</param>
/// <param name="GapAreaSquareKilometres">Their total area.</param>
public sealed record CoverageQualityReport(
    int OverlappingPairs,
    double OverlapAreaSquareKilometres,
    double LargestOverlapSquareKilometres,
    double OverlapRegionSquareKilometres,
    int Gaps,
    double GapAreaSquareKilometres);

/// <summary>
/// Measures overlaps and gaps of a raw district layer, for the dataset report at load time.
/// </summary>
/// <remarks>
/// Algorithm: the layer's linework is snap-rounded to a 1e-7 degree grid (about 1 cm; the Peru layer stores 7
/// decimals, so its vertices do not move) and noded, and every face of the resulting planar arrangement is labelled
/// with the districts that cover it (see <see cref="CoverageArrangement"/>). Two districts overlap when some face is
/// covered by both, i.e. their interiors intersect with positive area; a pair that only shares boundary does not
/// count. A gap is a bounded face covered by no district: exactly a hole in the union of the districts. Areas are
/// ellipsoidal (<see cref="Geodesy.EqualAreaProjection"/>). Pairwise areas are sums of the faces both cover, which
/// equals the area of the pair's intersection.
/// Thread safety: stateless, safe from any thread.
/// </remarks>
public static class CoverageQuality
{
    /// <summary>Grid scale (cells per degree) used to node the raw linework: 1e-7 degree cells.</summary>
    public const double DefaultGridScale = 1e7;

    /// <summary>Measures the overlaps and gaps of <paramref name="districts"/> (WGS 84 lon/lat, valid polygons).</summary>
    public static CoverageQualityReport Measure(IReadOnlyList<Geometry> districts)
    {
        ArgumentNullException.ThrowIfNull(districts);
        return Measure(CoverageArrangement.Build(districts, DefaultGridScale));
    }

    internal static CoverageQualityReport Measure(CoverageArrangement arrangement)
    {
        var pairAreas = new Dictionary<long, double>();
        double overlapRegion = 0, gapArea = 0;
        var gaps = 0;
        for (var f = 0; f < arrangement.FaceCount; f++)
        {
            var owners = arrangement.OwnersOf(f);
            var area = arrangement.FaceArea[f];
            if (owners.Length == 0)
            {
                gaps++;
                gapArea += area;
                continue;
            }

            if (owners.Length == 1)
            {
                continue;
            }

            overlapRegion += area;
            for (var i = 0; i < owners.Length; i++)
            {
                for (var j = i + 1; j < owners.Length; j++)
                {
                    var key = ((long)owners[i] << 32) | (uint)owners[j];
                    pairAreas[key] = pairAreas.GetValueOrDefault(key) + area;
                }
            }
        }

        double pairTotal = 0, largest = 0;
        foreach (var area in pairAreas.Values)
        {
            pairTotal += area;
            largest = Math.Max(largest, area);
        }

        return new CoverageQualityReport(pairAreas.Count, pairTotal / 1e6, largest / 1e6, overlapRegion / 1e6, gaps,
            gapArea / 1e6);
    }
}
