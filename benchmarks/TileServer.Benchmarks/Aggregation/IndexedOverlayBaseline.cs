using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using TileServer.Core.Aggregation;

namespace TileServer.Benchmarks.Aggregation;

/// <summary>
/// The baseline the engine is measured against: what a spatial database does with <c>ST_Intersection</c> — R-tree
/// candidates, then an OverlayNG intersection of every candidate with the query (no covered-district shortcut, no
/// prepared query, no rectangle clip), in the same equal-area plane. Population only.
/// </summary>
internal sealed class IndexedOverlayBaseline
{
    private readonly Geometry[] _plane;
    private readonly double[] _areas;
    private readonly double[] _population;
    private readonly STRtree<int> _tree = new();

    public IndexedOverlayBaseline(IReadOnlyList<AggregationDistrict> districts, IReadOnlyList<double?> population)
    {
        _plane = new Geometry[districts.Count];
        _areas = new double[districts.Count];
        _population = new double[districts.Count];
        for (var i = 0; i < districts.Count; i++)
        {
            var geometry = districts[i].Geometry.IsValid ? districts[i].Geometry : NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(districts[i].Geometry);
            _plane[i] = EqualAreaPlane.Project(geometry);
            _areas[i] = _plane[i].Area;
            _population[i] = population[i] ?? 0;
            _tree.Insert(_plane[i].EnvelopeInternal, i);
        }

        _tree.Build();
    }

    public double Population(Geometry lonLatQuery)
    {
        var query = EqualAreaPlane.Project(lonLatQuery);
        double population = 0;
        foreach (var i in _tree.Query(query.EnvelopeInternal))
        {
            var inside = OverlayNGRobust.Overlay(_plane[i], query, SpatialFunction.Intersection).Area;
            population += _population[i] * inside / _areas[i];
        }

        return population;
    }
}
