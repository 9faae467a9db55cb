using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Geometries;
using TileServer.Core.Tests.Tiles;

namespace TileServer.Core.Tests.Model;

/// <summary>Label points lie inside their unit, by NTS's own <c>Contains</c> (the predicate the locator replaced).</summary>
public class LabelPointsTests(SampleTilesetFixture sample) : IClassFixture<SampleTilesetFixture>
{
    private static readonly GeometryFactory Factory = new();

    [Fact]
    public void Every_label_point_of_every_level_lies_inside_its_unit()
    {
        var snapshot = sample.Snapshot;
        var checkedUnits = 0;
        foreach (var layer in new[] { snapshot.Departments, snapshot.Provinces, snapshot.Districts })
        {
            var points = snapshot.LabelPoints.Of(layer.Level).ToArray();
            Assert.Equal(layer.Units.Count, points.Length);
            for (var u = 0; u < points.Length; u++)
            {
                var point = Factory.CreatePoint(new Coordinate(points[u].Lon, points[u].Lat));
                Assert.True(layer.Units[u].Geometry.Contains(point), $"{layer.Level} {layer.Units[u].Code}: {point} is not inside");
                checkedUnits++;
            }
        }

        Assert.True(checkedUnits > 100, $"only {checkedUnits} units");
    }
}

/// <summary>
/// The documented bound on Peru's units, against NTS <see cref="MaximumInscribedCircle"/> on the exact geometry to a
/// tenth of a percent of the envelope (the oracle): each label point lies inside its unit (NTS <c>Contains</c>) and is
/// at least the largest inscribed circle's radius less 2% of the envelope's larger side from the boundary, unless it
/// is the interior point the rule falls back to (rare).
/// </summary>
public class PeruLabelPointsTests(PeruTilesetFixture peru) : IClassFixture<PeruTilesetFixture>
{
    private static readonly GeometryFactory Factory = new();

    [PeruFact]
    public void Every_label_point_is_inside_and_near_the_pole_of_inaccessibility()
    {
        var snapshot = peru.Snapshot;
        var (checkedUnits, fallbacks) = (0, 0);
        foreach (var layer in new[] { snapshot.Departments, snapshot.Provinces, snapshot.Districts })
        {
            for (var u = 0; u < layer.Units.Count; u++)
            {
                var geometry = layer.Units[u].Geometry;
                var label = snapshot.LabelPoints.Of(layer.Level, u);
                var point = Factory.CreatePoint(new Coordinate(label.Lon, label.Lat));
                Assert.True(geometry.Contains(point), $"{layer.Level} {layer.Units[u].Code}: {point} is not inside");
                if (point.Coordinate.Equals2D(geometry.InteriorPoint.Coordinate))
                {
                    fallbacks++;
                    continue;
                }

                var size = Math.Max(geometry.EnvelopeInternal.Width, geometry.EnvelopeInternal.Height);
                var radius = MaximumInscribedCircle.GetRadiusLine(geometry, size / 1000).Length;
                var distance = geometry.Boundary.Distance(point);
                Assert.True(distance >= radius - (size * 0.02), $"{layer.Level} {layer.Units[u].Code}: {distance} from the boundary, the largest circle's radius is {radius} (envelope {size})");
                checkedUnits++;
            }
        }

        Assert.True(checkedUnits > 2000, $"only {checkedUnits} units checked");
        Assert.True(fallbacks <= 20, $"{fallbacks} units fell back to the interior point");
    }
}
