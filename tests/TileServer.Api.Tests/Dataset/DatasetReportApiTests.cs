using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Dataset;

/// <summary>The README's stable <c>/v1/dataset</c> fields, on the embedded sample, with the values they must have.</summary>
[Collection(SampleCollection.Name)]
public class DatasetReportApiTests(SampleServerFixture sample)
{
    [Fact]
    public async Task The_dataset_report_has_every_documented_field_with_its_value()
    {
        var before = DateTimeOffset.UtcNow;
        var report = await sample.Client.GetFromJsonAsync<JsonElement>("/v1/dataset");

        var loadedAt = DateTimeOffset.Parse(report.GetProperty("loadedAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, loadedAt.Offset);
        Assert.Equal(sample.Snapshot.LoadedAt, loadedAt);
        Assert.True(loadedAt <= before, $"loadedAt {loadedAt:O} is after the request at {before:O}");

        var ingest = report.GetProperty("ingest");
        Assert.Contains("WGS", ingest.GetProperty("sourceCrs").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JsonValueKind.Array, ingest.GetProperty("repairedRecords").ValueKind);
        Assert.Equal(JsonValueKind.Array, report.GetProperty("join").GetProperty("mergedPolygonCodes").ValueKind);

        // The tile build's own figures, field by field (the report is where operators read them).
        var tiles = report.GetProperty("tiles");
        var built = sample.Snapshot.Report.Tiles!;
        Assert.Equal(built.OverlayFallbacks, tiles.GetProperty("overlayFallbacks").GetInt32());
        Assert.Equal(built.StepsMs.OrderBy(s => s.Key, StringComparer.Ordinal), tiles.GetProperty("stepsMs").EnumerateObject().Select(s => KeyValuePair.Create(s.Name, s.Value.GetInt64())).OrderBy(s => s.Key, StringComparer.Ordinal));
        Assert.Equal(built.Tiles, tiles.GetProperty("zooms").EnumerateArray().Sum(z => z.GetProperty("tiles").GetInt32()));
        Assert.Equal(sample.Snapshot.Districts.Units.Count, report.GetProperty("counts").GetProperty("districts").GetInt32());
    }
}

/// <summary>Cleaning and tiles turned off: the report says <c>null</c> for both, as the README states.</summary>
public sealed class CleaningAndTilesOffApiTests : IAsyncLifetime
{
    private readonly TileServerFactory _factory = new(new Dictionary<string, string?>
    {
        ["Dataset:CleanCoverage"] = "false",
        ["Tiles:Enabled"] = "false",
    });

    public async Task InitializeAsync() => await _factory.ReadyAsync();

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Cleaning_null_and_tiles_null_when_turned_off()
    {
        using var client = _factory.CreateClient();
        var report = await client.GetFromJsonAsync<JsonElement>("/v1/dataset");

        Assert.Equal(JsonValueKind.Null, report.GetProperty("cleaning").ValueKind);
        Assert.Equal(JsonValueKind.Null, report.GetProperty("tiles").ValueKind);
        Assert.Equal(JsonValueKind.Object, report.GetProperty("sourceCoverage").ValueKind);
        Assert.False(report.GetProperty("timingsMs").TryGetProperty("tiles", out _));

        using var tile = await client.GetAsync("/tiles/poverty/0/0/0.mvt");
        await ProblemAssert.IsProblemAsync(tile, 404);
    }
}
