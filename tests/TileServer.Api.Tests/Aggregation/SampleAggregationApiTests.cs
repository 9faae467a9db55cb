using NetTopologySuite.Geometries;
using TileServer.Api.Tests.Support;
using TileServer.Core.Dataset;
using static TileServer.Api.Tests.Aggregation.AggregateClient;
using TileServer.Core.Model;

namespace TileServer.Api.Tests.Aggregation;

/// <summary><c>/v1/aggregate</c> on the embedded sample: hand-checked answers and the response contract.</summary>
[Collection(SampleCollection.Name)]
public class SampleAggregationApiTests(SampleServerFixture sample)
{
    private DatasetSnapshot Snapshot => sample.Snapshot;

    private int ColumnIndex(string name) => Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf(name);

    private double? Value(AdminUnit unit, string column) => unit.Values[ColumnIndex(column)] as double?;

    private IEnumerable<AdminUnit> WithEstimates => Snapshot.Districts.Units.Where(u => Value(u, "poblacion") is not null && Value(u, "pobreza_pct") is not null);

    [Fact]
    public async Task A_district_sent_as_its_own_feature_gives_back_its_estimates()
    {
        var district = WithEstimates.First();
        var feature = await sample.Client.GetStringAsync($"/v1/districts/{district.Code}");

        var result = await PostOkAsync(sample.Client, feature, "?breakdown=true");

        Assert.Equal(district.Code, result.GetProperty("id").GetString());
        Assert.Equal(1, result.GetProperty("districts").GetInt32());
        Assert.Equal(Value(district, "poblacion")!.Value, Number(result, "population"), 1e-6);
        Assert.Equal(Value(district, "pobreza_pct")!.Value, Estimate(result, "pobreza_pct"), 1e-9);
        Assert.Equal(Value(district, "idh")!.Value, Estimate(result, "idh"), 1e-9);
        Assert.Equal(0.01 * Value(district, "pobreza_pct")!.Value * Value(district, "poblacion")!.Value,
            result.GetProperty("derivedCounts").GetProperty("pobres").GetDouble(), 1e-6);
        Assert.Equal(district.AreaKm2, Number(result, "areaKm2"), district.AreaKm2 * 1e-9);
        Assert.Equal(1, Number(result, "coverage"), 1e-9);
        var share = Assert.Single(result.GetProperty("breakdown").EnumerateArray());
        Assert.Equal(district.Code, share.GetProperty("code").GetString());
        Assert.Equal(district.Name, share.GetProperty("name").GetString());
        Assert.Equal(1, share.GetProperty("fraction").GetDouble(), 1e-9);
        Assert.Equal(Value(district, "poblacion")!.Value, share.GetProperty("population").GetDouble(), 1e-6);
    }

    /// <summary>Two neighbouring districts as one MultiPolygon: populations add, the poverty rate is their
    /// population-weighted mean and the poor persons are rate/100 × population, summed (worked out by hand here).</summary>
    [Fact]
    public async Task Two_neighbours_give_the_sum_of_populations_and_the_population_weighted_rate()
    {
        var candidates = WithEstimates.ToList();
        var (a, b) = candidates.SelectMany(x => candidates.Where(y => string.CompareOrdinal(x.Code, y.Code) < 0 && x.Geometry.Touches(y.Geometry)).Select(y => (x, y))).First();
        var polygons = new[] { a, b }.SelectMany(u => Enumerable.Range(0, u.Geometry.NumGeometries).Select(i => (Polygon)u.Geometry.GetGeometryN(i))).ToArray();
        var both = new GeometryFactory().CreateMultiPolygon(polygons);

        var result = await PostOkAsync(sample.Client, ToGeoJson(both), "?breakdown=true");

        var (pa, pb) = (Value(a, "poblacion")!.Value, Value(b, "poblacion")!.Value);
        var (ra, rb) = (Value(a, "pobreza_pct")!.Value, Value(b, "pobreza_pct")!.Value);
        Assert.Equal(2, result.GetProperty("districts").GetInt32());
        Assert.Equal(pa + pb, Number(result, "population"), 1e-6);
        Assert.Equal(((pa * ra) + (pb * rb)) / (pa + pb), Estimate(result, "pobreza_pct"), 1e-9);
        Assert.Equal(0.01 * ((pa * ra) + (pb * rb)), result.GetProperty("derivedCounts").GetProperty("pobres").GetDouble(), 1e-6);
        Assert.Equal(0, result.GetProperty("populationWithoutEstimate").GetProperty("pobreza_pct").GetDouble());
        Assert.Equal([a.Code, b.Code], result.GetProperty("breakdown").EnumerateArray().Select(s => s.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task The_whole_sample_box_gives_the_total_population_and_its_halves_add_up()
    {
        var envelope = new Envelope();
        foreach (var unit in Snapshot.Districts.Units)
        {
            envelope.ExpandToInclude(unit.Geometry.EnvelopeInternal);
        }

        var (minX, maxX, minY, maxY) = (envelope.MinX - 0.1, envelope.MaxX + 0.1, envelope.MinY - 0.1, envelope.MaxY + 0.1);
        var middle = (minX + maxX) / 2;
        var whole = await GetOkAsync(sample.Client, Invariant($"?bbox={minX},{minY},{maxX},{maxY}"));
        var west = await GetOkAsync(sample.Client, Invariant($"?bbox={minX},{minY},{middle},{maxY}"));
        var east = await GetOkAsync(sample.Client, Invariant($"?bbox={middle},{minY},{maxX},{maxY}"));

        var total = Snapshot.Districts.Units.Sum(u => Value(u, "poblacion") ?? 0);
        Assert.Equal(total, Number(whole, "population"), total * 1e-9);
        Assert.Equal(Snapshot.Districts.Units.Count, whole.GetProperty("districts").GetInt32());
        Assert.InRange(Number(whole, "coverage"), 0.01, 1);
        Assert.Equal(total, Number(west, "population") + Number(east, "population"), total * 1e-9);
        Assert.Equal(Number(whole, "areaKm2"), Number(west, "areaKm2") + Number(east, "areaKm2"), Number(whole, "areaKm2") * 1e-9);
    }

    [Fact]
    public async Task A_feature_collection_gets_one_result_per_feature_in_order_with_id_and_properties()
    {
        var units = WithEstimates.Take(3).ToList();
        var body = $$"""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"zone-a","properties":{"name":"north","rank":1},"geometry":{{ToGeoJson(units[0].Geometry)}}},
              {"geometry":{{ToGeoJson(units[1].Geometry)}},"properties":null,"id":7,"type":"Feature"},
              {"type":"Feature","properties":{"nested":{"list":[1,2]},"k":1},"geometry":{{ToGeoJson(units[2].Geometry)}}}
            ]}
            """;

        var results = (await PostOkAsync(sample.Client, body)).GetProperty("results").EnumerateArray().ToList();

        Assert.Equal(3, results.Count);
        Assert.Equal("zone-a", results[0].GetProperty("id").GetString());
        Assert.Equal("north", results[0].GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal(7, results[1].GetProperty("id").GetInt32());
        Assert.False(results[1].TryGetProperty("properties", out _));
        Assert.False(results[2].TryGetProperty("id", out _));
        Assert.Equal(2, results[2].GetProperty("properties").GetProperty("nested").GetProperty("list")[1].GetInt32());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Value(units[i], "poblacion")!.Value, Number(results[i], "population"), 1e-6);
            Assert.False(results[i].TryGetProperty("breakdown", out _));
        }
    }

    [Fact]
    public async Task Members_may_come_in_any_order()
    {
        var unit = WithEstimates.First();
        var geometry = ToGeoJson(unit.Geometry);
        var reordered = $$"""{"coordinates":{{System.Text.Json.JsonDocument.Parse(geometry).RootElement.GetProperty("coordinates").GetRawText()}},"bbox":[0,0,1,1],"type":"{{unit.Geometry.GeometryType}}"}""";

        var result = await PostOkAsync(sample.Client, reordered);

        Assert.Equal(Value(unit, "poblacion")!.Value, Number(result, "population"), 1e-6);
    }

    [Fact]
    public async Task A_circle_lists_fractions_and_reports_engine_time()
    {
        var centre = Snapshot.Districts.Units[150].Geometry.InteriorPoint;

        using var response = await sample.Client.GetAsync(Invariant($"/v1/aggregate?lat={centre.Y}&lon={centre.X}&radiusKm=40&breakdown=true"));
        var result = await OkJsonAsync(response);

        Assert.Contains("engine;dur=", string.Join(",", response.Headers.GetValues("Server-Timing")), StringComparison.Ordinal);
        var shares = result.GetProperty("breakdown").EnumerateArray().ToList();
        Assert.Equal(result.GetProperty("districts").GetInt32(), shares.Count);
        Assert.All(shares, s => Assert.InRange(s.GetProperty("fraction").GetDouble(), 1e-12, 1));
        Assert.Equal(Number(result, "population"), shares.Sum(s => s.GetProperty("population").GetDouble()), Number(result, "population") * 1e-9);
        Assert.Contains(shares, s => s.GetProperty("code").GetString() == Snapshot.Districts.Units[150].Code);
    }

    [Fact]
    public async Task A_self_intersecting_ring_is_repaired_and_the_repair_reported()
    {
        var centre = Snapshot.Districts.Units[150].Geometry.InteriorPoint;
        var (x, y) = (centre.X, centre.Y);
        var bowTie = Invariant($$"""{"type":"Polygon","coordinates":[[[{{x - 0.2}},{{y - 0.2}}],[{{x + 0.2}},{{y + 0.2}}],[{{x + 0.2}},{{y - 0.2}}],[{{x - 0.2}},{{y + 0.2}}],[{{x - 0.2}},{{y - 0.2}}]]]}""");

        var result = await PostOkAsync(sample.Client, bowTie);

        Assert.Contains("repaired", result.GetProperty("repair").GetString(), StringComparison.Ordinal);
        Assert.True(Number(result, "population") > 0);
    }
}
