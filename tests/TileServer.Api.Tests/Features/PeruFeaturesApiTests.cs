using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Features;

/// <summary>The OGC API door over the real Peru data: the counts clients see and the searches analysts type.</summary>
[Collection(PeruCollection.Name)]
public class PeruFeaturesApiTests(PeruServerFixture peru)
{
    [PeruTheory]
    [InlineData("departments", 25)]
    [InlineData("provinces", 196)]
    [InlineData("districts", 1891)]
    public async Task Collections_have_the_peru_counts(string collection, int count) =>
        Assert.Equal(count, (await Page($"/collections/{collection}/items?limit=1")).GetProperty("numberMatched").GetInt32());

    [PeruTheory]
    [InlineData("name LIKE '%ASUNCIÓN%'")]
    [InlineData("accenti(casei(name)) LIKE accenti(casei('%asuncion%'))")]
    public async Task Asuncion_is_found_with_or_without_accents_and_case(string filter)
    {
        var page = await Page("/collections/districts/items?skipGeometry=true&filter=" + Uri.EscapeDataString(filter));
        var features = page.GetProperty("features").EnumerateArray().ToList();

        var amazonas = Assert.Single(features, f => f.GetProperty("id").GetString() == "010102");
        Assert.Equal("ASUNCIÓN", amazonas.GetProperty("properties").GetProperty("name").GetString());
        Assert.Equal("AMAZONAS", amazonas.GetProperty("properties").GetProperty("department_name").GetString());
        Assert.All(features, f => Assert.Contains("ASUNCI", f.GetProperty("properties").GetProperty("name").GetString(), StringComparison.Ordinal));
    }

    [PeruFact]
    public async Task Lima_department_parameter_matches_its_171_districts()
    {
        var expected = peru.Snapshot.Districts.Units.Count(u => u.DepartmentCode == "15");
        var page = await Page("/collections/districts/items?department=15&limit=1");

        Assert.Equal(171, expected);
        Assert.Equal(expected, page.GetProperty("numberMatched").GetInt32());
    }

    [PeruFact]
    public async Task Sortby_descending_poverty_starts_with_the_poorest_district()
    {
        var column = peru.Snapshot.Districts.Columns.Select(c => c.Name).ToList().IndexOf("pobreza_pct");
        var poorest = peru.Snapshot.Districts.Units.Where(u => u.Values[column] is double).MaxBy(u => (double)u.Values[column]!)!;

        var page = await Page("/collections/districts/items?sortby=-pobreza_pct&limit=1&properties=pobreza_pct");

        var first = page.GetProperty("features")[0];
        Assert.Equal((double)poorest.Values[column]!, first.GetProperty("properties").GetProperty("pobreza_pct").GetDouble());
    }

    [PeruFact]
    public async Task A_point_in_the_plaza_de_armas_intersects_lima()
    {
        var page = await Page("/collections/districts/items?skipGeometry=true&filter=" + Uri.EscapeDataString("S_INTERSECTS(geometry, POINT(-77.0300 -12.0453))"));

        Assert.Equal(["150101"], page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
    }

    [PeruFact]
    public async Task A_utm_18s_bbox_selects_what_its_lon_lat_box_selects()
    {
        var transform = new CoordinateTransformationFactory().CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, ProjectedCoordinateSystem.WGS84_UTM(18, false)).MathTransform;
        var (x, y) = (-77.03, -12.045);
        transform.Transform(ref x, ref y);
        var box = string.Join(',', new[] { x - 500, y - 500, x + 500, y + 500 }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));

        var page = await Page($"/collections/districts/items?skipGeometry=true&bbox={box}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/32718");

        Assert.Contains("150101", page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()));
    }

    [PeruFact]
    public async Task The_whole_district_layer_comes_as_one_geojson_answer()
    {
        using var response = await peru.Client.GetAsync("/collections/districts/items?limit=10000", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var document = await JsonDocument.ParseAsync(body);

        var features = document.RootElement.GetProperty("features");
        Assert.Equal(1891, features.GetArrayLength());
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.All(features.EnumerateArray(), f => Assert.Contains(f.GetProperty("geometry").GetProperty("type").GetString(), new[] { "Polygon", "MultiPolygon" }));
    }

    private async Task<JsonElement> Page(string url) => await peru.Client.GetFromJsonAsync<JsonElement>(url);
}
