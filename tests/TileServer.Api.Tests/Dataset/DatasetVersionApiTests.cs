using System.Net;
using System.Net.Http.Json;
using TileServer.Api.Tests.Support;
using TileServer.Api.Tests.Tiles;
using TileServer.Core.Tiles;

namespace TileServer.Api.Tests.Dataset;

/// <summary>
/// The dataset version, and the strong tile ETags built from it, change with every option that changes an answer and
/// with nothing else: a client or CDN holding an ETag must never get 304 for a tile that changed.
/// </summary>
[Collection(SampleCollection.Name)]
public class DatasetVersionApiTests(SampleServerFixture sample)
{
    [Theory]
    [InlineData("Tiles:SimplifyTolerance", "128")]
    [InlineData("Tiles:Attributes", "false")]
    [InlineData("Tiles:Districts:MinZoom", "7")]
    public async Task An_option_that_changes_tiles_changes_their_ETag_so_a_held_ETag_gets_the_new_tile(string key, string value)
    {
        await using var changed = new TileServerFactory(new Dictionary<string, string?> { [key] = value });
        var snapshot = await changed.ReadyAsync();
        var id = FirstDifferentTile(sample.Snapshot.Tiles!, snapshot.Tiles!);
        using var client = changed.CreateClient();

        using var before = await sample.Client.GetAsync($"/tiles/poverty/{id}.mvt");
        var held = before.Headers.ETag!.Tag;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/tiles/poverty/{id}.mvt");
        request.Headers.TryAddWithoutValidation("If-None-Match", held);
        using var after = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.NotEqual(held, after.Headers.ETag!.Tag);
        Assert.True(snapshot.Tiles!.TryGetTile(id, out var tile));
        Assert.Equal(tile.Mvt.ToArray(), await after.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("Lookup:MaxSnapMetres", "500")]
    [InlineData("Lookup:MaxSnapMeters", "500")]
    [InlineData("Aggregation:InvalidRings", "Reject")]
    [InlineData("Targeting:Indicator", "pobreza_extrema_pct")]
    [InlineData("Targeting:InvalidRings", "Reject")]
    [InlineData("Map:DefaultIndicator", "idh")]
    [InlineData("Map:Indicators:idh:HigherIsWorse", "true")]
    [InlineData("Tiles:GzipLevel", "Fastest")]
    [InlineData("Tiles:Attribution", "INEI")]
    [InlineData("Dataset:MaxGapWidthMetres", "500")]
    public async Task An_option_that_changes_answers_changes_the_version(string key, string value)
    {
        await using var changed = new TileServerFactory(new Dictionary<string, string?> { [key] = value });
        await changed.ReadyAsync();

        Assert.NotEqual(await VersionAsync(sample.Client), await VersionAsync(changed.CreateClient()));
    }

    [Fact]
    public async Task Limits_and_caching_directives_change_no_answer_and_leave_the_version_and_ETags_alone()
    {
        await using var changed = new TileServerFactory(new Dictionary<string, string?>
        {
            ["Tiles:CacheControl"] = "public, max-age=60",
            ["Aggregation:MaxVertices"] = "5000",
            ["Aggregation:MaxBodyBytes"] = "65536",
            ["Lookup:MaxBatchPoints"] = "10",
            ["Targeting:MaxBodyBytes"] = "65536",
            ["Map:CacheControl"] = "public, max-age=60",
            ["Map:BasemapStyle"] = "https://basemap.example/style.json",
        });
        await changed.ReadyAsync();
        using var client = changed.CreateClient();
        var id = sample.Snapshot.Tiles!.TileIds.First();

        using var want = await sample.Client.GetAsync($"/tiles/poverty/{id}.mvt");
        using var got = await client.GetAsync($"/tiles/poverty/{id}.mvt");

        Assert.Equal(await VersionAsync(sample.Client), await VersionAsync(client));
        Assert.Equal(want.Headers.ETag, got.Headers.ETag);
        Assert.Equal("public, max-age=60", got.Headers.CacheControl?.ToString());
    }

    /// <summary>Two copies of the same inputs, in different folders and loaded at different times, as on two machines.</summary>
    [Fact]
    public async Task The_same_inputs_and_options_in_other_folders_give_the_same_version()
    {
        using var scratch = new ScratchFolder();
        var versions = new List<string> { await VersionAsync(sample.Client) };
        foreach (var folder in new[] { "a", "copy of b" })
        {
            var target = Directory.CreateDirectory(scratch.File(folder)).FullName;
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "geodata", "sample")))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }

            await using var copy = new TileServerFactory(new Dictionary<string, string?>
            {
                ["Dataset:Districts"] = Path.Combine(target, "districts.shp"),
                ["Dataset:Estimates"] = Path.Combine(target, "estimates.csv"),
            });
            var snapshot = await copy.ReadyAsync();
            Assert.StartsWith(target, snapshot.Report.Ingest.File, StringComparison.Ordinal);
            versions.Add(await VersionAsync(copy.CreateClient()));
        }

        Assert.Single(versions.Distinct());
    }

    private static async Task<string> VersionAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<VersionOnly>("/v1/dataset"))!.Version;

    private static TileId FirstDifferentTile(ITileSource before, ITileSource after) =>
        before.TileIds.Order(Comparer<TileId>.Create((a, b) => (a.Z, a.X, a.Y).CompareTo((b.Z, b.X, b.Y))))
            .First(id => after.TryGetTile(id, out var tile) && before.TryGetTile(id, out var old) && !tile.Mvt.Span.SequenceEqual(old.Mvt.Span));

    private sealed record VersionOnly(string Version);
}
