using System.Diagnostics;
using System.Globalization;
using NetTopologySuite.Geometries;
using TileServer.Core.Coverage;
using TileServer.Core.Index;
using Xunit.Abstractions;

namespace TileServer.Core.Tests.Index;

/// <summary>The cleaned Peru coverage, its locator and the exact oracle, built once for <see cref="PeruLookupTests"/>.</summary>
public sealed class PeruLookupFixture
{
    private readonly Lazy<(Geometry[] Districts, string[] Codes, DistrictLocator Locator, long BuildMs, ExactOracle Oracle)> _loaded = new(() =>
    {
        var features = NetTopologySuite.IO.Esri.Shapefile.ReadAllFeatures(PeruData.File("districts.shp"));
        var codes = features.Select(f => (string)f.Attributes["UBIGEO"]).ToArray();
        var result = CoverageCleaner.Clean([.. features.Select(f => f.Geometry)], codes, CoverageCleaningOptions.Default);
        var cleaned = result.Districts.ToArray();
        var clock = Stopwatch.StartNew();
        var locator = DistrictLocator.Build(result.Topology);
        return (cleaned, codes, locator, clock.ElapsedMilliseconds, new ExactOracle(cleaned));
    });

    public Geometry[] Districts => _loaded.Value.Districts;

    public string[] Codes => _loaded.Value.Codes;

    public DistrictLocator Locator => _loaded.Value.Locator;

    public long BuildMs => _loaded.Value.BuildMs;

    public ExactOracle Oracle => _loaded.Value.Oracle;
}

public class PeruLookupTests(PeruLookupFixture peru, ITestOutputHelper output) : IClassFixture<PeruLookupFixture>
{
    /// <summary>The default of <c>Lookup:MaxSnapMetres</c>.</summary>
    private const double SnapMetres = 1000;

    [PeruFact]
    public void A_million_random_points_over_perus_box_agree_with_the_exact_predicate()
    {
        var random = new Random(20261129);
        var box = new Envelope();
        foreach (var district in peru.Districts)
        {
            box.ExpandToInclude(district.EnvelopeInternal);
        }

        var disagreements = new List<string>();
        var inside = 0;
        for (var i = 0; i < 1_000_000; i++)
        {
            var x = box.MinX + (random.NextDouble() * box.Width);
            var y = box.MinY + (random.NextDouble() * box.Height);
            var answer = peru.Locator.LocateCovering(x, y);
            inside += answer.Found ? 1 : 0;
            if (peru.Oracle.Disagreement(x, y, answer) is { } problem)
            {
                disagreements.Add(problem);
            }
        }

        output.WriteLine($"build {peru.BuildMs} ms, {peru.Locator.EdgeCount} edges, {peru.Locator.NodeCount} cells, {peru.Locator.LeafEdgeCount} leaf edges; {inside} of 1,000,000 inside");
        Assert.Empty(disagreements.Take(10));

        // Peru fills a bit under half of its box; the figure guards against a test that checks nothing.
        Assert.InRange(inside, 300_000, 700_000);
    }

    [PeruFact]
    public void Every_vertex_and_edge_midpoint_gets_the_district_the_half_open_border_rule_gives()
    {
        var ambiguousBefore = peru.Oracle.Ambiguous;
        var disagreements = new List<string>();
        var vertices = 0;
        var onBorder = 0;
        foreach (var district in peru.Districts)
        {
            foreach (var polygon in Enumerable.Range(0, district.NumGeometries).Select(district.GetGeometryN).OfType<Polygon>())
            {
                foreach (var ring in polygon.InteriorRings.Prepend(polygon.ExteriorRing))
                {
                    var points = ring.Coordinates;
                    for (var i = 0; i + 1 < points.Length; i++)
                    {
                        vertices++;
                        var vertex = peru.Locator.LocateCovering(points[i].X, points[i].Y);
                        Check(points[i].X, points[i].Y, vertex);
                        onBorder += vertex.Match == LookupMatch.Boundary ? 1 : 0;
                        var mx = (points[i].X + points[i + 1].X) / 2;
                        var my = (points[i].Y + points[i + 1].Y) / 2;
                        Check(mx, my, peru.Locator.LocateCovering(mx, my));
                    }
                }
            }
        }

        void Check(double x, double y, DistrictMatch answer)
        {
            if (peru.Oracle.Disagreement(x, y, answer) is { } problem)
            {
                disagreements.Add(problem);
            }
        }

        var ambiguous = peru.Oracle.Ambiguous - ambiguousBefore;
        output.WriteLine($"{vertices} vertices checked, {ambiguous} border points where the oracle's finite perturbation was ambiguous");
        Assert.Empty(disagreements.Take(10));
        Assert.Equal(vertices, onBorder);
        Assert.InRange(ambiguous, 0, vertices / 1000);
    }

    [PeruFact]
    public void Locating_the_populated_places_allocates_nothing()
    {
        var places = PopulatedPlaces.Read();
        var covered = places.Where(p => peru.Locator.LocateCovering(p.Lon, p.Lat).Found).ToArray();
        var i = 0;
        var bytes = Allocations.Measure(() =>
        {
            var place = covered[i++ % covered.Length];
            _ = peru.Locator.Locate(place.Lon, place.Lat, SnapMetres);
        }, covered.Length);

        Assert.Equal(0, bytes);
    }

    [PeruFact]
    public void Populated_places_answer_their_listed_district_and_the_readmes_counts_inside_snapped_and_unanswered()
    {
        var places = PopulatedPlaces.Read();
        var codeIndex = peru.Codes.Select((code, i) => (code, i)).ToDictionary(p => p.code, p => p.i, StringComparer.Ordinal);
        int listed = 0, inside = 0, boundary = 0, nearest = 0, none = 0;
        var disagreements = new List<string>();
        var farthest = 0.0;
        foreach (var place in places)
        {
            var answer = peru.Locator.Locate(place.Lon, place.Lat, SnapMetres);
            switch (answer.Match)
            {
                case LookupMatch.Inside: inside++; break;
                case LookupMatch.Boundary: boundary++; break;
                case LookupMatch.Nearest:
                    nearest++;
                    farthest = Math.Max(farthest, answer.DistanceMetres);
                    Assert.InRange(answer.DistanceMetres, 0, SnapMetres);
                    Assert.Empty(peru.Oracle.Classify(place.Lon, place.Lat).Interior);
                    break;
                default:
                    none++;
                    break;
            }

            if (answer.Match != LookupMatch.Nearest && peru.Oracle.Disagreement(place.Lon, place.Lat, answer) is { } problem)
            {
                disagreements.Add(problem);
            }

            if (answer.Found && codeIndex.TryGetValue(place.Ubigeo, out var listedIndex) && listedIndex == answer.District)
            {
                listed++;
            }
        }

        var share = listed / (double)places.Count;
        output.WriteLine($"{places.Count} places: {listed} ({share:P3}) in the listed district; inside {inside}, boundary {boundary}, nearest {nearest} (farthest {farthest:F0} m), none {none}");
        Assert.Equal(94_922, places.Count);
        Assert.Empty(disagreements.Take(10));
        Assert.Equal(places.Count, inside + boundary + nearest + none);
        Assert.True(share >= 0.982, $"{share:P3} of places answer their listed district");

        // The README's figures (section Lookup, "Nearest rule"), exactly.
        Assert.Equal((94_771, 29, 122, 866), (inside + boundary, nearest, none, (int)Math.Round(farthest)));
    }
}

/// <summary>The populated places register (<c>populated_places.csv</c>): ubigeo, lat, lon.</summary>
public static class PopulatedPlaces
{
    public sealed record Place(string Ubigeo, double Lat, double Lon);

    /// <remarks>Names may hold quoted commas; the code is the second column and lat, lon the last two.</remarks>
    public static IReadOnlyList<Place> Read()
    {
        var lines = File.ReadLines(PeruData.File("populated_places.csv")).ToList();
        Assert.Equal("ccpp_code,ubigeo,name,kind,lat,lon", lines[0]);
        return [.. lines.Skip(1).Select(line => line.Split(',')).Select(f => new Place(
            f[1],
            double.Parse(f[^2], CultureInfo.InvariantCulture),
            double.Parse(f[^1], CultureInfo.InvariantCulture)))];
    }
}
