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
