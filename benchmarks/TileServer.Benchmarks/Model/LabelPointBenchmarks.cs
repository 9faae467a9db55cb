using BenchmarkDotNet.Attributes;
using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using NetTopologySuite.Simplify;
using TileServer.Benchmarks.Aggregation;
using TileServer.Core.Model;

namespace TileServer.Benchmarks.Model;

/// <summary>
/// The label points of Peru's 2,112 units (departments, provinces, districts of the cleaned coverage), one after the
/// other on one thread. Baseline (same process): the rule as it ran before, NTS <see cref="MaximumInscribedCircle"/>
/// on the same Douglas-Peucker copy with the same tolerance and the same inside check; the contender is
/// <see cref="LabelPoints.Of(Geometry)"/> (<c>PoleOfInaccessibility</c>: the same branch and bound over flat arrays).
/// Run: dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- --filter '*LabelPointBenchmarks*'
/// </summary>
[MemoryDiagnoser]
[GcServer(true)]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class LabelPointBenchmarks
{
    private Geometry[] _units = [];

    [GlobalSetup]
    public void Load()
    {
        var snapshot = PeruAggregationData.Load();
        _units = [.. new[] { snapshot.Departments, snapshot.Provinces, snapshot.Districts }.SelectMany(l => l.Units).Select(u => u.Geometry)];
    }

    [Benchmark(Baseline = true)]
    public double NtsMaximumInscribedCircle()
    {
        var sum = 0.0;
        foreach (var geometry in _units)
        {
            var envelope = geometry.EnvelopeInternal;
            var tolerance = Math.Max(Math.Max(envelope.Width, envelope.Height) / 100, 1e-7);
            var coarse = DouglasPeuckerSimplifier.Simplify(geometry, tolerance / 2);
            var centre = MaximumInscribedCircle.GetCenter(coarse, tolerance).Coordinate;
            var point = SimplePointInAreaLocator.Locate(centre, geometry) == Location.Interior ? centre : geometry.InteriorPoint.Coordinate;
            sum += point.X + point.Y;
        }

        return sum;
    }

    [Benchmark]
    public double PoleOfInaccessibility()
    {
        var sum = 0.0;
        foreach (var geometry in _units)
        {
            var point = LabelPoints.Of(geometry);
            sum += point.X + point.Y;
        }

        return sum;
    }
}
