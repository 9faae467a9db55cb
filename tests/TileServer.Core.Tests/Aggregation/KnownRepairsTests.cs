using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>An aggregator built from a snapshot file skips the validity check and repairs the districts the file names.</summary>
public sealed class KnownRepairsTests
{
    [Fact]
    public void An_aggregator_told_which_districts_were_repaired_answers_as_one_that_checked_them()
    {
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        // A bow-tie (self-intersecting) district the build repairs, beside a valid one.
        var bowTie = factory.CreatePolygon([new(-75, -10), new(-74, -9), new(-74, -10), new(-75, -9), new(-75, -10)]);
        var square = factory.CreatePolygon([new(-74, -10), new(-73, -10), new(-73, -9), new(-74, -9), new(-74, -10)]);
        AggregationDistrict[] districts = [new("S", "Square", square), new("B", "Bow tie", bowTie)];
        var columns = new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = [1000, 3000],
            ["pobreza_pct"] = [10, 50],
        };
        var configuration = new AggregationConfiguration { WeightColumn = "poblacion", ExtensiveColumns = [], IntensiveColumns = ["pobreza_pct"], DerivedCounts = [] };

        var checkedOne = DistrictAggregator.Build(districts, columns, configuration);
        var told = DistrictAggregator.BuildKnowingRepairs(districts, columns, configuration, new HashSet<int>(checkedOne.RepairedPositions));

        Assert.Equal([1], checkedOne.RepairedPositions);
        Assert.Equal(["B"], told.RepairedDistricts);
        foreach (var (minLon, maxLon) in ((double, double)[])[(-75, -73), (-74.8, -74.2), (-74.5, -73.5)])
        {
            Assert.Equal(
                System.Text.Json.JsonSerializer.Serialize(checkedOne.AggregateBox(minLon, -9.9, maxLon, -9.2, includeBreakdown: true)),
                System.Text.Json.JsonSerializer.Serialize(told.AggregateBox(minLon, -9.9, maxLon, -9.2, includeBreakdown: true)));
        }
    }
}
