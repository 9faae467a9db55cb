using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using TileServer.Core.Index;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// NetTopologySuite's exact point location (an <see cref="IndexedPointInAreaLocator"/> per district behind an
/// <see cref="STRtree{T}"/>), and the check that a <see cref="DistrictLocator"/> answer agrees with it.
/// </summary>
public sealed class ExactOracle
{
    private readonly STRtree<int> _tree = new();
    private readonly IndexedPointInAreaLocator[] _locators;

    public ExactOracle(IReadOnlyList<Geometry> districts)
    {
        _locators = new IndexedPointInAreaLocator[districts.Count];
        for (var k = 0; k < districts.Count; k++)
        {
            _locators[k] = new IndexedPointInAreaLocator(districts[k]);
            _tree.Insert(districts[k].EnvelopeInternal, k);
        }

        _tree.Build();
    }

    /// <summary>Districts whose interior contains the point, and those whose boundary does.</summary>
    public (List<int> Interior, List<int> Boundary) Classify(double x, double y)
    {
        var interior = new List<int>();
        var boundary = new List<int>();
        var point = new Coordinate(x, y);
        foreach (var k in _tree.Query(new Envelope(point)))
        {
            switch (_locators[k].Locate(point))
            {
                case Location.Interior:
                    interior.Add(k);
                    break;
                case Location.Boundary:
                    boundary.Add(k);
                    break;
            }
        }

        return (interior, boundary);
    }

    /// <summary>Null when the answer agrees with the exact predicate, else what is wrong.</summary>
    public string? Disagreement(double x, double y, DistrictMatch answer)
    {
        var (interior, boundary) = Classify(x, y);
        string Describe() => $"({x:R}, {y:R}): answered {answer}, interior [{string.Join(",", interior)}], boundary [{string.Join(",", boundary)}]";
        if (interior.Count > 0)
        {
            // A cleaned coverage has no overlaps; where a point is interior to one district it must be that one.
            return answer.Match == LookupMatch.Inside && interior.Contains(answer.District) && (interior.Count == 1 || answer.District == interior.Min())
                ? null
                : Describe();
        }

        if (boundary.Count > 0)
        {
            return answer.Match == LookupMatch.Boundary && boundary.Contains(answer.District) ? null : Describe();
        }

        return answer.Found ? Describe() : null;
    }
}
