using System.Net;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using TileServer.Api.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Api.Tests.Tiles;

[Collection(PeruCollection.Name)]
public class PeruTileApiTests(PeruServerFixture peru)
{
    [PeruFact]
    public async Task Limas_main_square_tile_over_http_has_district_150101()
    {
        var id = WebMercator.TileAt(-77.0300, -12.0453, 12);
        using var response = await peru.Client.GetAsync($"/tiles/poverty/{id}.mvt");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var tile = new MapboxTileReader().Read(body, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(id.X, id.Y, id.Z));
        var districts = tile.Layers.Single(l => l.Name == "districts").Features;
        var lima = Assert.Single(districts, f => Equals(f.Attributes["code"], "150101"));
        Assert.True(lima.Attributes.Exists("pobreza_pct"));
        Assert.Contains(tile.Layers.Single(l => l.Name == "labels").Features, f => Equals(f.Attributes["code"], "150101"));
    }

    [PeruFact]
    public async Task Every_non_empty_tile_is_served_and_a_sample_of_them_matches_the_snapshot()
    {
        var tiles = peru.Snapshot.Tiles!;
        foreach (var id in tiles.TileIds.Where((_, i) => i % 500 == 0))
        {
            Assert.True(tiles.TryGetTile(id, out var tile));
            using var response = await peru.Client.GetAsync($"/tiles/poverty/{id}.mvt");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(tile.Mvt.ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
    }
}
