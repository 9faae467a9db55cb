using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Sample;

/// <summary>One district's synthetic estimates; null where the estimate is missing on purpose.</summary>
internal sealed record DistrictEstimates(
    long? Population, double? PovertyPct, double? ExtremePovertyPct, double? HumanDevelopmentIndex, double? FoodVulnerability);

/// <summary>
/// Spatially structured district estimates in the shape of INEI's poverty map: population from a density surface
/// (a rural base by natural region plus Gaussian peaks at the cities) times the true ellipsoidal area; poverty rising
/// with distance from the capital and in the highlands, falling in cities; the other rates following poverty; all with
/// seeded noise and clamped to plausible ranges. About 1% of rows lose some or all values, as recently created
/// districts do in the real data. Not thread-safe (owns a random stream).
/// </summary>
internal sealed class SyntheticEstimates(CountryShape country, SampleRandom random)
{
    private const double CapitalPeakDensity = 6000;

    public DistrictEstimates Estimate(Geometry district, double xKm, double yKm, NaturalRegion region)
    {
        var urban = 0.0;
        foreach (var city in country.Cities)
        {
            var d2 = Square(city.XKm - xKm) + Square(city.YKm - yKm);
            urban += city.Weight * Math.Exp(-d2 / (2 * city.SigmaKm * city.SigmaKm));
        }

        var urbanShare = Math.Min(urban, 1);
        var ruralDensity = region switch
        {
            NaturalRegion.Costa => 25.0,
            NaturalRegion.Sierra => 15.0,
            _ => 4.0,
        };
        var density = (ruralDensity * Math.Exp(0.5 * random.Gaussian())) + (CapitalPeakDensity * urban);
        var population = Math.Max(10, (long)Math.Round(density * EqualAreaProjection.AreaSquareKilometres(district)));

        var capital = country.Cities[0];
        var fromCapital = Math.Sqrt(Square(capital.XKm - xKm) + Square(capital.YKm - yKm)) / CountryShape.MeanRadiusKm;
        var regionPenalty = region switch
        {
            NaturalRegion.Costa => 0.0,
            NaturalRegion.Sierra => 12.0,
            _ => 8.0,
        };
        var poverty = Math.Clamp(
            10 + (30 * Math.Min(fromCapital, 1.5)) + regionPenalty - (25 * urbanShare) + (7 * random.Gaussian()), 0.5, 92);
        var extreme = Math.Clamp((poverty * random.Uniform(0.1, 0.45)) + (1.5 * random.Gaussian()), 0, poverty);
        var idh = Math.Clamp(0.72 - (0.0055 * poverty) + (0.12 * urbanShare) + (0.03 * random.Gaussian()), 0.09, 0.86);
        var vulnerability = Math.Clamp(0.15 + (0.0075 * poverty) - (0.1 * urbanShare) + (0.04 * random.Gaussian()), 0.05, 0.9);
        return new DistrictEstimates(population, poverty, extreme, idh, vulnerability);
    }

    /// <summary>
    /// Blanks values in max(1, round(1%)) distinct rows: half of them lose every value, the others one value.
    /// Returns the number of blanked cells.
    /// </summary>
    public int BlankSome(DistrictEstimates[] rows)
    {
        var count = Math.Max(1, (int)Math.Round(rows.Length / 100.0));
        var indices = Enumerable.Range(0, rows.Length).ToArray();
        var blanked = 0;
        for (var k = 0; k < count; k++)
        {
            var pick = k + random.Next(rows.Length - k);
            (indices[k], indices[pick]) = (indices[pick], indices[k]);
            var row = rows[indices[k]];
            if (random.Chance(0.5))
            {
                rows[indices[k]] = new DistrictEstimates(null, null, null, null, null);
                blanked += 5;
                continue;
            }

            rows[indices[k]] = random.Next(5) switch
            {
                0 => row with { Population = null },
                1 => row with { PovertyPct = null },
                2 => row with { ExtremePovertyPct = null },
                3 => row with { HumanDevelopmentIndex = null },
                _ => row with { FoodVulnerability = null },
            };
            blanked++;
        }

        return blanked;
    }

    private static double Square(double value) => value * value;
}

/// <summary>Peru's natural regions, the values of the REGNAT attribute.</summary>
internal enum NaturalRegion
{
    Costa,
    Sierra,
    Selva,
}
