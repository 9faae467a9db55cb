using NetTopologySuite.Algorithm.Locate;
using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Sample;

/// <summary>A population centre of the synthetic country; the first one is the capital.</summary>
internal sealed record City(double XKm, double YKm, double Weight, double SigmaKm);

/// <summary>
/// The synthetic country's physical layout: a wobbly outline, a lake inside it, offshore islands and a few cities.
/// </summary>
/// <remarks>
/// The outline is star-shaped around the centre, r(θ) = R·(1 + Σ aₖ·cos(kθ + φₖ)), with a few strong low harmonics
/// for the overall shape and many weak high ones for a ragged coast; a radius that is a single-valued function of the
/// angle can never self-intersect, so the polygon is valid by construction. The lake and islands are smaller wobbly
/// discs placed with a margin and checked against the outline. Immutable after construction.
/// </remarks>
internal sealed class CountryShape
{
    public const double CentreLon = -75.0;
    public const double CentreLat = -10.0;
    public const double MeanRadiusKm = 330.0;
    private const int OutlineVertexCount = 720;
    private const int IslandCount = 3;
    private const int CityCount = 5;

    private CountryShape(
        LocalFrame frame, Polygon outline, Polygon lake, Polygon land, IPointOnGeometryLocator landLocator, Polygon[] islands, City[] cities)
    {
        Frame = frame;
        Outline = outline;
        Lake = lake;
        Land = land;
        LandLocator = landLocator;
        Islands = islands;
        Cities = cities;
    }

    public LocalFrame Frame { get; }

    /// <summary>The country's outer boundary (mainland, without the lake hole).</summary>
    public Polygon Outline { get; }

    public Polygon Lake { get; }

    /// <summary>The mainland that districts cover: the outline with the lake as a hole.</summary>
    public Polygon Land { get; }

    public IReadOnlyList<Polygon> Islands { get; }

    /// <summary>Cities, the capital first.</summary>
    public IReadOnlyList<City> Cities { get; }

    public IPointOnGeometryLocator LandLocator { get; }

    public bool IsOnLand(double xKm, double yKm) => IsOnLand(LandLocator, Frame, xKm, yKm);

    public static CountryShape Create(int districtCount, SampleRandom random, GeometryFactory factory)
    {
        var frame = new LocalFrame(CentreLon, CentreLat, metresPerUnit: 1000);
        var outlineRadius = RadiusFunction(random, MeanRadiusKm, lowHarmonics: 5, highHarmonics: 34, lowAmplitude: 0.13, highAmplitude: 0.02);
        var outline = factory.CreatePolygon(WobblyRing(frame, 0, 0, outlineRadius, OutlineVertexCount, factory));

        // A few districts' spacing wide, so that no single district can swallow it: it must stay a hole in the union.
        var spacingKm = Math.Sqrt(Math.PI * MeanRadiusKm * MeanRadiusKm / districtCount);
        var lakeRadiusKm = Math.Clamp(2.5 * spacingKm, 12.0, 45.0);
        var lake = PlaceLake(frame, outline, lakeRadiusKm, random, factory);
        var land = factory.CreatePolygon(outline.Shell, [lake.Shell]);

        var islands = new Polygon[IslandCount];
        for (var i = 0; i < islands.Length; i++)
        {
            islands[i] = PlaceIsland(frame, outline, outlineRadius, islands.AsSpan(0, i), random, factory);
        }

        var landLocator = new IndexedPointInAreaLocator(land);
        var cities = PlaceCities(landLocator, frame, outlineRadius, random);
        return new CountryShape(frame, outline, lake, land, landLocator, islands, cities);
    }

    private static Func<double, double> RadiusFunction(
        SampleRandom random, double meanRadius, int lowHarmonics, int highHarmonics, double lowAmplitude, double highAmplitude)
    {
        var count = lowHarmonics + highHarmonics;
        var amplitudes = new double[count];
        var phases = new double[count];
        for (var i = 0; i < count; i++)
        {
            var k = i + 2;
            amplitudes[i] = i < lowHarmonics
                ? random.Uniform(0.3, 1.0) * lowAmplitude
                : random.Uniform(0.0, 1.0) * highAmplitude * (lowHarmonics + 2.0) / k;
            phases[i] = random.Uniform(0, 2 * Math.PI);
        }

        return theta =>
        {
            var r = 1.0;
            for (var i = 0; i < count; i++)
            {
                r += amplitudes[i] * Math.Cos(((i + 2) * theta) + phases[i]);
            }

            return meanRadius * Math.Max(r, 0.4);
        };
    }

    private static LinearRing WobblyRing(
        LocalFrame frame, double centreXKm, double centreYKm, Func<double, double> radiusKm, int vertexCount, GeometryFactory factory)
    {
        var coordinates = new Coordinate[vertexCount + 1];
        for (var j = 0; j < vertexCount; j++)
        {
            var theta = 2 * Math.PI * j / vertexCount;
            var r = radiusKm(theta);
            coordinates[j] = new Coordinate(frame.Lon(centreXKm + (r * Math.Cos(theta))), frame.Lat(centreYKm + (r * Math.Sin(theta))));
        }

        coordinates[vertexCount] = coordinates[0].Copy();
        return factory.CreateLinearRing(coordinates);
    }

    private static Polygon PlaceLake(LocalFrame frame, Polygon outline, double radiusKm, SampleRandom random, GeometryFactory factory)
    {
        for (var attempt = 0; ; attempt++)
        {
            var angle = random.Uniform(0, 2 * Math.PI);
            var distance = random.Uniform(0.1, 0.45) * MeanRadiusKm;
            var ring = WobblyRing(
                frame,
                distance * Math.Cos(angle),
                distance * Math.Sin(angle),
                RadiusFunction(random, radiusKm, lowHarmonics: 3, highHarmonics: 6, lowAmplitude: 0.12, highAmplitude: 0.04),
                64,
                factory);
            var lake = factory.CreatePolygon(ring);
            if (outline.Contains(lake) && outline.Shell.Distance(lake) > radiusKm / 100.0)
            {
                return lake;
            }

            if (attempt > 1000)
            {
                throw new InvalidOperationException("Could not place the lake inside the country outline.");
            }
        }
    }

    private static Polygon PlaceIsland(
        LocalFrame frame,
        Polygon outline,
        Func<double, double> outlineRadius,
        ReadOnlySpan<Polygon> placed,
        SampleRandom random,
        GeometryFactory factory)
    {
        for (var attempt = 0; ; attempt++)
        {
            var angle = random.Uniform(0, 2 * Math.PI);
            var radiusKm = random.Uniform(4, 12);
            var distance = outlineRadius(angle) + random.Uniform(8, 30) + radiusKm;
            var ring = WobblyRing(
                frame,
                distance * Math.Cos(angle),
                distance * Math.Sin(angle),
                RadiusFunction(random, radiusKm, lowHarmonics: 3, highHarmonics: 5, lowAmplitude: 0.15, highAmplitude: 0.05),
                32,
                factory);
            var island = factory.CreatePolygon(ring);
            var clear = !outline.Intersects(island) && outline.Distance(island) > 0.03;
            foreach (var other in placed)
            {
                clear &= other.Distance(island) > 0.03;
            }

            if (clear)
            {
                return island;
            }

            if (attempt > 1000)
            {
                throw new InvalidOperationException("Could not place an island off the coast.");
            }
        }
    }

    private static bool IsOnLand(IPointOnGeometryLocator landLocator, LocalFrame frame, double xKm, double yKm) =>
        landLocator.Locate(new Coordinate(frame.Lon(xKm), frame.Lat(yKm))) == Location.Interior;

    private static City[] PlaceCities(
        IPointOnGeometryLocator landLocator, LocalFrame frame, Func<double, double> outlineRadius, SampleRandom random)
    {
        var cities = new City[CityCount];
        for (var i = 0; i < cities.Length; i++)
        {
            for (var attempt = 0; ; attempt++)
            {
                double x, y;
                if (i == 0)
                {
                    // The capital sits near the western coast, as Lima does.
                    var angle = Math.PI + random.Uniform(-0.5, 0.5);
                    var distance = outlineRadius(angle) * random.Uniform(0.6, 0.8);
                    x = distance * Math.Cos(angle);
                    y = distance * Math.Sin(angle);
                }
                else
                {
                    x = random.Uniform(-0.8, 0.8) * MeanRadiusKm;
                    y = random.Uniform(-0.8, 0.8) * MeanRadiusKm;
                }

                if (IsOnLand(landLocator, frame, x, y) && IsFarFromAll(cities.AsSpan(0, i), x, y, minimumKm: 80))
                {
                    cities[i] = i == 0
                        ? new City(x, y, Weight: 1.0, SigmaKm: 25)
                        : new City(x, y, Weight: random.Uniform(0.2, 0.5), SigmaKm: random.Uniform(10, 18));
                    break;
                }

                if (attempt > 10000)
                {
                    throw new InvalidOperationException("Could not place the cities on land.");
                }
            }
        }

        return cities;
    }

    private static bool IsFarFromAll(ReadOnlySpan<City> cities, double xKm, double yKm, double minimumKm)
    {
        foreach (var city in cities)
        {
            if (Math.Sqrt(Square(city.XKm - xKm) + Square(city.YKm - yKm)) <= minimumKm)
            {
                return false;
            }
        }

        return true;
    }

    private static double Square(double value) => value * value;
}
