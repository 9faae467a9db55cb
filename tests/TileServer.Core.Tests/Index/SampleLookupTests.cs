using NetTopologySuite.Geometries;
using TileServer.Core.Dataset;
using TileServer.Core.Index;

namespace TileServer.Core.Tests.Index;

/// <summary>The embedded sample (<c>geodata/sample</c>) loaded as the server loads it: the snapshot's locator against
/// the exact predicate on the snapshot's cleaned districts.</summary>
public class SampleLookupTests
{
    private static readonly Lazy<DatasetSnapshot> Snapshot = new(() =>
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "TileServer.sln")))
        {
            root = root.Parent ?? throw new DirectoryNotFoundException("TileServer.sln not found above the test binaries");
        }

        var sample = Path.Combine(root.FullName, "geodata", "sample");
        return DatasetLoader.Load(new DatasetOptions { Districts = Path.Combine(sample, "districts.shp"), Estimates = Path.Combine(sample, "estimates.csv") });
    });

    [Fact]
    public void Random_points_vertices_and_edge_midpoints_agree_with_the_exact_predicate()
    {
        var snapshot = Snapshot.Value;
        Geometry[] districts = [.. snapshot.Districts.Units.Select(u => u.Geometry)];
        var oracle = new ExactOracle(districts);
        var box = new Envelope();
        foreach (var district in districts)
        {
            box.ExpandToInclude(district.EnvelopeInternal);
        }

        var disagreements = new List<string>();
        var random = new Random(11);
        var inside = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var x = box.MinX + (random.NextDouble() * box.Width);
            var y = box.MinY + (random.NextDouble() * box.Height);
            var answer = snapshot.Locator.LocateCovering(x, y);
            inside += answer.Found ? 1 : 0;
            Collect(oracle.Disagreement(x, y, answer));
        }

        var vertices = 0;
        foreach (var coordinate in districts.SelectMany(d => d.Coordinates))
        {
            vertices++;
            var answer = snapshot.Locator.LocateCovering(coordinate.X, coordinate.Y);
            Assert.Equal(LookupMatch.Boundary, answer.Match);
            Collect(oracle.Disagreement(coordinate.X, coordinate.Y, answer));
        }

        void Collect(string? problem)
        {
            if (problem is not null)
            {
                disagreements.Add(problem);
            }
        }

        Assert.Empty(disagreements.Take(10));
        Assert.True(inside > 50_000, $"only {inside} random points fell inside the sample country");
        Assert.True(vertices > 1000);
        Assert.Equal(districts.Length, snapshot.Locator.DistrictCount);
        Assert.True(snapshot.Report.TimingsMs.ContainsKey("lookupIndex"));
    }
}
