using NetTopologySuite.Geometries;
using NetTopologySuite.Triangulate;
using TileServer.Core.Aggregation;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Aggregation;

/// <summary>
/// A clean synthetic coverage: a Voronoi diagram of random sites clipped to a lon/lat box in Peru's latitudes, with
/// made-up columns (population, households, a poverty percentage and an index), some of them missing.
/// </summary>
internal sealed class SyntheticCoverage
{
    public const double MinLon = -76, MinLat = -14, MaxLon = -72, MaxLat = -10;

    public static readonly AggregationConfiguration Configuration = new()
    {
        WeightColumn = "poblacion",
        ExtensiveColumns = ["hogares"],
        IntensiveColumns = ["pobreza_pct", "idh"],
        DerivedCounts = [new DerivedCount("pobres", "pobreza_pct")],
    };

    private SyntheticCoverage(List<AggregationDistrict> districts, List<Coordinate> sites, Dictionary<string, IReadOnlyList<double?>> columns)
    {
        Districts = districts;
        Sites = sites;
        Columns = columns;
        Aggregator = DistrictAggregator.Build(districts, columns, Configuration);
    }

    public static GeometryFactory Factory { get; } = new(new PrecisionModel(), 4326);

    public IReadOnlyList<AggregationDistrict> Districts { get; }

    /// <summary>The Voronoi site of each district, aligned with <see cref="Districts"/>.</summary>
    public IReadOnlyList<Coordinate> Sites { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<double?>> Columns { get; }

    public DistrictAggregator Aggregator { get; }

    public IReadOnlyList<double?> Population => Columns["poblacion"];

    public IReadOnlyList<double?> Poverty => Columns["pobreza_pct"];

    public static SyntheticCoverage Create(int siteCount, int seed)
    {
        var random = new Random(seed);
        var siteList = new List<Coordinate>();
        for (var i = 0; i < siteCount; i++)
        {
            siteList.Add(new Coordinate(MinLon + (random.NextDouble() * (MaxLon - MinLon)), MinLat + (random.NextDouble() * (MaxLat - MinLat))));
        }

        var builder = new VoronoiDiagramBuilder();
        builder.SetSites(siteList);
        var box = new Envelope(MinLon, MaxLon, MinLat, MaxLat);
        builder.ClipEnvelope = box;
        var diagram = builder.GetDiagram(Factory);
        var boxPolygon = Factory.ToGeometry(box);

        var districts = new List<AggregationDistrict>();
        var sites = new List<Coordinate>();
        var population = new List<double?>();
        var households = new List<double?>();
        var poverty = new List<double?>();
        var index = new List<double?>();
        for (var i = 0; i < diagram.NumGeometries; i++)
        {
            var cell = diagram.GetGeometryN(i);
            var clipped = cell.Intersection(boxPolygon);
            if (clipped is not Polygon polygon || polygon.IsEmpty)
            {
                continue;
            }

            var k = districts.Count;
            districts.Add(new AggregationDistrict($"D{k:D4}", $"District {k}", polygon));
            sites.Add((Coordinate)cell.UserData);
            var persons = Math.Round(100 + (random.NextDouble() * 50_000));
            population.Add(k % 23 == 5 ? null : persons);
            households.Add(k % 19 == 3 ? null : Math.Round(persons / 4));
            poverty.Add(k % 17 == 2 ? null : Math.Round(random.NextDouble() * 80, 2));
            index.Add(Math.Round(0.3 + (random.NextDouble() * 0.5), 4));
        }

        var columns = new Dictionary<string, IReadOnlyList<double?>>
        {
            ["poblacion"] = population,
            ["hogares"] = households,
            ["pobreza_pct"] = poverty,
            ["idh"] = index,
        };
        return new SyntheticCoverage(districts, sites, columns);
    }

    /// <summary>Population-weighted mean of <paramref name="column"/> over the given districts that have both values.</summary>
    public double WeightedMean(IEnumerable<int> districts, string column)
    {
        double sum = 0, weight = 0;
        foreach (var i in districts)
        {
            if (Population[i] is { } p && Columns[column][i] is { } v)
            {
                sum += v * p;
                weight += p;
            }
        }

        return sum / weight;
    }

    public double TotalPopulation(IEnumerable<int> districts) => districts.Sum(i => Population[i] ?? 0);
}
