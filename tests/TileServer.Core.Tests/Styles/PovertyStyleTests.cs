using System.Text.Json;
using TileServer.Core.Model;
using TileServer.Core.Styles;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Styles;

public class PovertyStyleTests
{
    private static readonly string[] Columns = ["pobreza_pct"];

    private static readonly AdminLayer[] Layers =
    [
        MemoryLayers.Make(AdminLevel.Department, Columns, ("01", "A", [20]), ("02", "B", [40])),
        MemoryLayers.Make(AdminLevel.Province, Columns, ("0101", "A", [20]), ("0201", "B", [40])),
        MemoryLayers.Make(AdminLevel.District, Columns,
            [.. Enumerable.Range(1, 50).Select(i => ($"0101{i:D2}", $"D{i}", new double?[] { i == 50 ? null : i * 2.0 }))]),
    ];

    private static readonly ChoroplethClasses Classes = ChoroplethClasses.Build(Layers);

    private static readonly IndicatorDescription Poverty = new("pobreza_pct", "Pobreza", "%", HigherIsWorse: true);

    private static readonly StyleEndpoints Endpoints = new("http://host/tiles/poverty.json", "http://host/fonts/{fontstack}/{range}.pbf", "Noto Sans Regular");

    [Fact]
    public void Each_level_is_filled_from_its_first_zoom_until_the_next_level_starts()
    {
        using var style = Write(Tileset(("departments", 0), ("provinces", 3), ("districts", 5)));

        var fills = Layer(style, "fill").GroupBy(f => f.GetProperty("source-layer").GetString()).ToList();
        Assert.Equal(["departments", "provinces", "districts"], fills.Select(f => f.Key));
        Assert.All(fills, level => Assert.All(level, f => Assert.StartsWith($"{level.Key}-fill-", f.GetProperty("id").GetString(), StringComparison.Ordinal)));
        Assert.Equal([(0, 3), (3, 5), (5, -1)], fills.Select(level => level.Select(f => (Zoom(f, "minzoom", 0), Zoom(f, "maxzoom", -1))).Distinct().Single()));
        Assert.Equal("http://host/tiles/poverty.json", style.RootElement.GetProperty("sources").GetProperty("poverty").GetProperty("url").GetString());
        Assert.Equal(Endpoints.GlyphsUrl, style.RootElement.GetProperty("glyphs").GetString());
    }

    [Fact]
    public void A_missing_level_leaves_the_coarser_fill_until_the_finer_one()
    {
        using var style = Write(Tileset(("departments", 0), ("districts", 6)));

        var fills = Layer(style, "fill").GroupBy(f => f.GetProperty("source-layer").GetString()).ToList();
        Assert.Equal(["departments", "districts"], fills.Select(f => f.Key));
        Assert.Equal([(0, 6), (6, -1)], fills.Select(level => level.Select(f => (Zoom(f, "minzoom", 0), Zoom(f, "maxzoom", -1))).Distinct().Single()));
    }

    [Fact]
    public void Every_district_matches_exactly_one_fill_whose_colour_is_its_class_colour_and_no_data_is_grey()
    {
        using var style = Write(Tileset(("departments", 0), ("provinces", 3), ("districts", 5)));
        var fills = Layer(style, "fill").Where(f => f.GetProperty("source-layer").GetString() == "districts").ToList();
        var breaks = Classes.For("pobreza_pct", AdminLevel.District)!;
        var ramp = ChoroplethPalette.Colors(breaks.Classes);
        Assert.Equal(breaks.Classes + 1, fills.Count);

        foreach (var unit in Layers[2].Units)
        {
            var value = unit.Values[0] as double?;

            var color = Assert.Single(fills, f => Matches(f.GetProperty("filter"), value)).GetProperty("paint").GetProperty("fill-color").GetString();

            // The oracle counts breaks itself instead of calling ClassOf.
            var expected = value is { } v ? ramp[breaks.Breaks.Count(b => b <= v)] : ChoroplethPalette.NoData;
            Assert.Equal(expected, color);
        }
    }

    [Fact]
    public void A_development_index_runs_the_ramp_the_other_way()
    {
        var breaks = Classes.For("pobreza_pct", AdminLevel.District)!;

        var colors = PovertyStyle.ClassColors(breaks, Poverty with { HigherIsWorse = false });

        Assert.Equal(ChoroplethPalette.Colors(5).Reverse(), colors);
    }

    [Fact]
    public void The_legend_in_the_metadata_is_the_breaks_and_colours_the_fills_use()
    {
        using var style = Write(Tileset(("departments", 0), ("provinces", 3), ("districts", 5)));

        var legend = style.RootElement.GetProperty("metadata").GetProperty("tileserver:legend");
        var districts = legend.GetProperty("levels").EnumerateArray().Single(l => l.GetProperty("level").GetString() == "district");
        Assert.Equal(Classes.For("pobreza_pct", AdminLevel.District)!.Breaks, districts.GetProperty("breaks").EnumerateArray().Select(b => b.GetDouble()));
        Assert.Equal(1, districts.GetProperty("missing").GetInt32());
        Assert.Equal(ChoroplethPalette.NoData, legend.GetProperty("noDataColor").GetString());
        Assert.Equal("pobreza_pct", style.RootElement.GetProperty("metadata").GetProperty("tileserver:indicator").GetString());
    }

    [Fact]
    public void Every_indicator_lists_its_smallest_and_largest_value_at_each_level()
    {
        using var style = Write(Tileset(("departments", 0), ("provinces", 3), ("districts", 5)));

        var indicator = style.RootElement.GetProperty("metadata").GetProperty("tileserver:indicators")[0];
        var ranges = indicator.GetProperty("ranges");
        // Districts hold 2, 4, ..., 98 and one without a value; provinces and departments 20 and 40.
        Assert.Equal([2.0, 98.0], ranges.GetProperty("district").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([20.0, 40.0], ranges.GetProperty("province").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal([20.0, 40.0], ranges.GetProperty("department").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("pobreza_pct", indicator.GetProperty("name").GetString());
    }

    [Fact]
    public void Names_come_from_the_labels_layer_per_level_in_the_served_font()
    {
        using var style = Write(Tileset(("departments", 0), ("provinces", 3), ("districts", 5)));

        var labels = Layer(style, "symbol");
        Assert.All(labels, l => Assert.Equal("labels", l.GetProperty("source-layer").GetString()));
        Assert.Equal(["department", "province", "district"], labels.Select(l => l.GetProperty("filter")[2].GetString()));
        Assert.All(labels, l => Assert.Equal("Noto Sans Regular", l.GetProperty("layout").GetProperty("text-font")[0].GetString()));
        Assert.Equal(3, Layer(style, "line").Count);
    }

    private static JsonDocument Write(TilesetInfo tiles) =>
        JsonDocument.Parse(PovertyStyle.Write(tiles, Classes, Poverty, [Poverty], Endpoints));

    private static TilesetInfo Tileset(params (string Layer, int MinZoom)[] layers) => new(
        "poverty", "test", "", "v", 0, 12, [-80, -18, -68, 0], [-75, -9, 5],
        [.. layers.Select(l => new VectorLayerInfo(l.Layer, "", l.MinZoom, 12, new Dictionary<string, string>())),
            new VectorLayerInfo("labels", "", 0, 12, new Dictionary<string, string>())]);

    private static List<JsonElement> Layer(JsonDocument style, string type) =>
        [.. style.RootElement.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("type").GetString() == type)];

    private static int Zoom(JsonElement layer, string name, int absent) => layer.TryGetProperty(name, out var zoom) ? zoom.GetInt32() : absent;

    /// <summary>
    /// Evaluates the subset of the MapLibre filter language the fills use (all, !, has, &gt;=, &lt; on the one
    /// property, <paramref name="value"/>; null: the feature lacks it) as MapLibre does.
    /// </summary>
    private static bool Matches(JsonElement filter, double? value) => filter[0].GetString() switch
    {
        "all" => filter.EnumerateArray().Skip(1).All(f => Matches(f, value)),
        "!" => !Matches(filter[1], value),
        "has" => value is not null,
        ">=" => value >= Operand(filter),
        "<" => value < Operand(filter),
        _ => throw new NotSupportedException(filter.ToString()),
    };

    private static double Operand(JsonElement comparison)
    {
        Assert.Equal("get", comparison[1][0].GetString());
        Assert.Equal("pobreza_pct", comparison[1][1].GetString());
        return comparison[2].GetDouble();
    }
}
