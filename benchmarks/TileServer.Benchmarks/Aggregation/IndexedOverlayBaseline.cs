using NetTopologySuite.Geometries;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Overlay;
using NetTopologySuite.Operation.OverlayNG;
using TileServer.Core.Aggregation;
using TileServer.Core.Geodesy;

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
            _plane[i] = Project(geometry);
            _areas[i] = _plane[i].Area;
            _population[i] = population[i] ?? 0;
            _tree.Insert(_plane[i].EnvelopeInternal, i);
        }

        _tree.Build();
    }

    public double Population(Geometry lonLatQuery)
    {
        var query = Project(lonLatQuery);
        double population = 0;
        foreach (var i in _tree.Query(query.EnvelopeInternal))
        {
            var inside = OverlayNGRobust.Overlay(_plane[i], query, SpatialFunction.Intersection).Area;
            population += _population[i] * inside / _areas[i];
        }

        return population;
    }

    private static Geometry Project(Geometry lonLat)
    {
        var copy = lonLat.Copy();
        copy.Apply(new ProjectFilter());
        return copy;
    }

    private sealed class ProjectFilter : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                seq.SetX(i, EqualAreaProjection.X(seq.GetX(i)));
                seq.SetY(i, EqualAreaProjection.Y(seq.GetY(i)));
            }
        }
    }
}
