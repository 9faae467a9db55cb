using System.Globalization;
using System.Net;
using System.Text.Json;
using CsCheck;
using NetTopologySuite.Geometries;
using TileServer.Api.Tests.Aggregation;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Hostile;

/// <summary>
/// Property-based tests (CsCheck, issue 17) over the embedded sample: random tile coordinates and query strings never
/// answer 5xx and every error is problem+json; a random point's lookup agrees with NTS's exact predicate on the
/// served geometries; a random box's aggregate adds up to those of its two halves. CsCheck shrinks a failure to a
/// small case and prints its seed.
/// </summary>
[Collection(SampleCollection.Name)]
public class PropertyApiTests(SampleServerFixture sample)
{
    private static readonly string[] Parameters = ["bbox", "lat", "lon", "radiusKm", "breakdown", "limit", "offset", "filter", "filter-lang", "f", "properties", "sortby", "datetime", "x"];

    private static readonly string[] Routes = ["/v1/aggregate", "/v1/lookup", "/collections/districts/items", "/collections/provinces/items", "/tiles/poverty.json", "/v1/dataset"];

    private static Gen<T> OneOf<T>(T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private Envelope Extent
    {
        get
        {
            var extent = new Envelope();
            foreach (var unit in sample.Snapshot.Districts.Units)
            {
                extent.ExpandToInclude(unit.Geometry.EnvelopeInternal);
            }

            return extent;
        }
    }

    [Fact]
    public async Task Random_tile_coordinates_never_answer_5xx()
    {
        var number = Gen.Int[-3, 40].Select(n => n.ToString(CultureInfo.InvariantCulture))
            .Select(Gen.Int[0, 9], (n, pad) => pad == 0 ? "0" + n : pad == 1 ? n + "0000000000" : n);
        var url = Gen.Select(number, number, number, OneOf(["mvt", "pbf", "png", "MVT", "mvt/", ""]),
            (z, x, y, format) => $"/tiles/poverty/{z}/{x}/{y}.{format}");

        await url.SampleAsync(async path =>
        {
            using var response = await sample.Client.GetAsync(new Uri(path, UriKind.Relative));
            await AssertNot5xxAsync(response, path);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task Random_query_strings_never_answer_5xx()
    {
        var value = Gen.Char["0123456789-.,eE+ aNnIfy/%&=#\u00e9\u00f1\u20ac()'\""].Array[0, 16].Select(chars => new string(chars));
        var pair = Gen.Select(OneOf(Parameters), value, (name, v) => $"{name}={Uri.EscapeDataString(v)}");
        var url = Gen.Select(OneOf(Routes), pair.Array[0, 5], (route, pairs) => $"{route}?{string.Join('&', pairs)}");

        await url.SampleAsync(async path =>
        {
            using var response = await sample.Client.GetAsync(new Uri(path, UriKind.Relative));
            await AssertNot5xxAsync(response, path);
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task A_random_points_lookup_agrees_with_the_exact_predicate()
    {
        var extent = Extent;
        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var point = Gen.Select(Gen.Double[extent.MinX - 0.05, extent.MaxX + 0.05], Gen.Double[extent.MinY - 0.05, extent.MaxY + 0.05]);

        await point.SampleAsync(async (lon, lat) =>
        {
            var at = factory.CreatePoint(new Coordinate(lon, lat));
            var containing = sample.Snapshot.Districts.Units.Where(u => u.Geometry.Contains(at)).Select(u => u.Code).ToList();
            var covered = containing.Count > 0 || sample.Snapshot.Districts.Units.Any(u => u.Geometry.Covers(at));
            using var response = await sample.Client.GetAsync(new Uri(FormattableString.Invariant($"/v1/lookup?lat={lat:R}&lon={lon:R}"), UriKind.Relative));
            var text = await response.Content.ReadAsStringAsync();
            if (containing.Count > 0)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, text);
                using var json = JsonDocument.Parse(text);
                Assert.Contains(json.RootElement.GetProperty("code").GetString(), containing);
                Assert.Equal("inside", json.RootElement.GetProperty("match").GetString());
            }
            else if (!covered && response.StatusCode == HttpStatusCode.OK)
            {
                using var json = JsonDocument.Parse(text);
                Assert.Equal("nearest", json.RootElement.GetProperty("match").GetString());
            }
            else if (!covered)
            {
                await ProblemAssert.IsProblemAsync(response, 404);
            }
        }, iter: 300, threads: 1);
    }

    [Fact]
    public async Task A_random_boxs_aggregate_adds_up_to_its_two_halves()
    {
        var extent = Extent;
        var box = Gen.Select(Gen.Double[extent.MinX, extent.MaxX], Gen.Double[extent.MinX, extent.MaxX], Gen.Double[extent.MinY, extent.MaxY], Gen.Double[extent.MinY, extent.MaxY], Gen.Double[0.05, 0.95])
            .Where((x1, x2, y1, y2, _) => Math.Abs(x1 - x2) > 1e-3 && Math.Abs(y1 - y2) > 1e-3);

        await box.SampleAsync(async (x1, x2, y1, y2, split) =>
        {
            var (west, east, south, north) = (Math.Min(x1, x2), Math.Max(x1, x2), Math.Min(y1, y2), Math.Max(y1, y2));
            var middle = west + (split * (east - west));
            var whole = await PopulationAsync(west, south, east, north);
            var parts = await PopulationAsync(west, south, middle, north) + await PopulationAsync(middle, south, east, north);
            Assert.Equal(whole, parts, Math.Max(1e-6, whole * 1e-9));
        }, iter: 100, threads: 1);
    }

    private async Task<double> PopulationAsync(double west, double south, double east, double north)
    {
        var result = await AggregateClient.GetOkAsync(sample.Client, FormattableString.Invariant($"?bbox={west:R},{south:R},{east:R},{north:R}"));
        return AggregateClient.Number(result, "population");
    }

    private static async Task AssertNot5xxAsync(HttpResponseMessage response, string path)
    {
        Assert.True((int)response.StatusCode < 500, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if ((int)response.StatusCode >= 400)
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", $"{path}: {(int)response.StatusCode} as {response.Content.Headers.ContentType}");
        }
    }
}
