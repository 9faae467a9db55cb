using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using TileServer.Core.Model;
using TileServer.Core.Tiles;

namespace TileServer.Core.Styles;

/// <summary>What a map says about an estimate column: its title, unit, and which way is worse.</summary>
/// <param name="Column">The estimate column.</param>
/// <param name="Title">A human title (the column name when none is configured).</param>
/// <param name="Unit">Unit shown after values (<c>%</c>, <c>persons</c>), empty for an index without unit.</param>
/// <param name="HigherIsWorse">True when a higher value means more deprivation (poverty rate); false for a
/// development index, whose ramp runs the other way so that dark always means deprived.</param>
public sealed record IndicatorDescription(string Column, string Title, string Unit, bool HigherIsWorse);

/// <summary>Where the style points its clients: absolute URLs, since other MapLibre hosts and QGIS load it from elsewhere.</summary>
/// <param name="TileJsonUrl">The TileJSON of the vector tileset.</param>
/// <param name="GlyphsUrl">The glyph template, with <c>{fontstack}</c> and <c>{range}</c>.</param>
/// <param name="FontStack">The font the labels ask for (one the glyph endpoint serves).</param>
public sealed record StyleEndpoints(string TileJsonUrl, string GlyphsUrl, string FontStack);

/// <summary>
/// Writes the MapLibre style (spec v8) of the poverty map over the <c>poverty</c> vector tileset: department,
/// province and district fills, each shown at the zooms its tile layer starts (a department fill until provinces
/// appear, then provinces until districts appear), coloured by one indicator with each level's own quintile breaks
/// (<see cref="ChoroplethClasses"/>) and <see cref="ChoroplethPalette"/>; borders of the three levels; names from the
/// <c>labels</c> layer.
/// </summary>
/// <remarks>
/// <para>Each level has one fill layer per class, <c>{layer}-fill-{class}</c>, with a constant colour and the filter
/// <c>["all", ["has", col], [">=", ["get", col], from], ["&lt;", ["get", col], to]]</c> (the first class without its
/// lower bound, the last without its upper), and <c>{layer}-fill-nodata</c> with <c>["!", ["has", col]]</c>: tiles
/// leave a missing value out of the feature, so "no data" is a missing property, never zero. One data-driven
/// <c>step</c> expression would be shorter, but QGIS's vector-tile style import (QgsMapBoxGlStyleConverter, 3.22)
/// skips data-driven colour expressions and draws such a fill in a default colour; it converts these filters to
/// its own expressions, so the style opens in QGIS with the same classes (checked by
/// <c>tests/clients/qgis_style.py</c>).</para>
/// <para>The legend travels in the style's <c>metadata</c> (<c>tileserver:bounds</c>: the data's box;
/// <c>tileserver:legend</c>: per level the zooms, breaks,
/// colours, minimum, maximum and units without a value; <c>tileserver:indicators</c>: every indicator the style can be
/// asked for, with its smallest and largest value at each level), so a page shows exactly the classes the map draws.</para>
/// <para>Stateless and thread-safe.</para>
/// </remarks>
public static class PovertyStyle
{
    public const string SourceId = "poverty";

    private static readonly (AdminLevel Level, string Layer)[] Levels =
    [
        (AdminLevel.Department, "departments"),
        (AdminLevel.Province, "provinces"),
        (AdminLevel.District, "districts"),
    ];

    /// <summary>
    /// Operators (<c>&lt;</c>, <c>&gt;=</c>) and names written as they are, not as <c>\u003C</c> escapes: the style is
    /// served as JSON only, never inside HTML, and the style specification's validator (its jsonlint parser) does not
    /// decode escapes, so it would read <c>"\u003C"</c> as an unknown expression.
    /// </summary>
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The UTF-8 JSON of the style coloured by <paramref name="indicator"/>.</summary>
    /// <param name="indicators">Every indicator a client may switch to (listed in the metadata).</param>
    public static byte[] Write(TilesetInfo tiles, ChoroplethClasses classes, IndicatorDescription indicator,
        IReadOnlyList<IndicatorDescription> indicators, StyleEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(indicator);
        ArgumentNullException.ThrowIfNull(indicators);
        ArgumentNullException.ThrowIfNull(endpoints);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            var zooms = FillZooms(tiles);
            json.WriteStartObject();
            json.WriteNumber("version", 8);
            json.WriteString("name", $"Poverty map: {indicator.Title}");
            WriteMetadata(json, tiles, classes, indicator, indicators, zooms);
            json.WriteStartArray("center");
            json.WriteNumberValue(tiles.Center[0]);
            json.WriteNumberValue(tiles.Center[1]);
            json.WriteEndArray();
            json.WriteNumber("zoom", tiles.Center.Length > 2 ? tiles.Center[2] : tiles.MinZoom);
            json.WriteStartObject("sources");
            json.WriteStartObject(SourceId);
            json.WriteString("type", "vector");
            json.WriteString("url", endpoints.TileJsonUrl);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteString("glyphs", endpoints.GlyphsUrl);
            json.WriteStartArray("layers");
            WriteBackground(json);
            foreach (var zoom in zooms)
            {
                WriteFills(json, zoom, classes.For(indicator.Column, zoom.Level), indicator);
            }

            WriteBorders(json, zooms);
            WriteLabels(json, zooms, endpoints.FontStack);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The colour of each class of <paramref name="breaks"/>, least deprived first as the indicator runs.</summary>
    public static IReadOnlyList<string> ClassColors(ClassBreaks breaks, IndicatorDescription indicator)
    {
        ArgumentNullException.ThrowIfNull(breaks);
        ArgumentNullException.ThrowIfNull(indicator);
        if (breaks.Classes == 0)
        {
            return [];
        }

        var ramp = ChoroplethPalette.Colors(breaks.Classes);
        return indicator.HigherIsWorse ? ramp : [.. ramp.Reverse()];
    }

    /// <summary>One fill level and the zooms it is drawn at (<see cref="MaxZoom"/> exclusive, null: no limit).</summary>
    private sealed record FillZoom(AdminLevel Level, string Layer, int MinZoom, int? MaxZoom);

    /// <summary>Each enabled polygon layer from its first zoom until the next finer enabled layer starts.</summary>
    private static List<FillZoom> FillZooms(TilesetInfo tiles)
    {
        var present = Levels
            .Select(l => (l.Level, l.Layer, Info: tiles.VectorLayers.FirstOrDefault(v => v.Id == l.Layer)))
            .Where(l => l.Info is not null)
            .ToList();
        var result = new List<FillZoom>();
        for (var i = 0; i < present.Count; i++)
        {
            int? until = i + 1 < present.Count ? present[i + 1].Info!.MinZoom : null;
            if (until is { } u && u <= present[i].Info!.MinZoom)
            {
                continue;
            }

            result.Add(new FillZoom(present[i].Level, present[i].Layer, present[i].Info!.MinZoom, until));
        }

        return result;
    }

    private static void WriteMetadata(Utf8JsonWriter json, TilesetInfo tiles, ChoroplethClasses classes, IndicatorDescription indicator,
        IReadOnlyList<IndicatorDescription> indicators, List<FillZoom> zooms)
    {
        json.WriteStartObject("metadata");
        json.WriteStartArray("tileserver:bounds");
        foreach (var b in tiles.Bounds)
        {
            json.WriteNumberValue(b);
        }

        json.WriteEndArray();
        json.WriteString("tileserver:indicator", indicator.Column);
        json.WriteStartArray("tileserver:indicators");
        foreach (var i in indicators)
        {
            WriteIndicator(json, i, classes);
        }

        json.WriteEndArray();
        json.WriteStartObject("tileserver:legend");
        json.WritePropertyName("indicator");
        WriteIndicator(json, indicator, null);
        json.WriteString("classification", $"quantiles ({ClassBreaks.DefaultClasses} classes: quintiles), breaks rounded to {ClassBreaks.SignificantDigits} significant digits; a class runs from its break (included) to the next (excluded)");
        json.WriteString("noDataColor", ChoroplethPalette.NoData);
        json.WriteStartArray("levels");
        foreach (var zoom in zooms)
        {
            json.WriteStartObject();
            json.WriteString("level", zoom.Level.ToString().ToLowerInvariant());
            json.WriteString("layer", zoom.Layer);
            json.WriteNumber("minzoom", zoom.MinZoom);
            if (zoom.MaxZoom is { } max)
            {
                json.WriteNumber("maxzoom", max);
            }

            var breaks = classes.For(indicator.Column, zoom.Level);
            json.WriteNumber("units", breaks?.Count ?? 0);
            json.WriteNumber("missing", breaks?.Missing ?? 0);
            if (breaks is { Classes: > 0 })
            {
                json.WriteNumber("min", breaks.Min);
                json.WriteNumber("max", breaks.Max);
            }

            json.WriteStartArray("breaks");
            foreach (var b in breaks?.Breaks ?? [])
            {
                json.WriteNumberValue(b);
            }

            json.WriteEndArray();
            json.WriteStartArray("colors");
            foreach (var color in breaks is null ? [] : ClassColors(breaks, indicator))
            {
                json.WriteStringValue(color);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>
    /// An indicator's name, title, unit and direction; with <paramref name="classes"/>, also its smallest and largest
    /// value at each level (<c>ranges</c>: the span of a threshold slider on the page).
    /// </summary>
    private static void WriteIndicator(Utf8JsonWriter json, IndicatorDescription indicator, ChoroplethClasses? classes)
    {
        json.WriteStartObject();
        json.WriteString("name", indicator.Column);
        json.WriteString("title", indicator.Title);
        json.WriteString("unit", indicator.Unit);
        json.WriteBoolean("higherIsWorse", indicator.HigherIsWorse);
        if (classes is not null)
        {
            json.WriteStartObject("ranges");
            foreach (var (level, _) in Levels)
            {
                if (classes.For(indicator.Column, level) is { Classes: > 0 } breaks)
                {
                    json.WriteStartArray(level.ToString().ToLowerInvariant());
                    json.WriteNumberValue(breaks.Min);
                    json.WriteNumberValue(breaks.Max);
                    json.WriteEndArray();
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteBackground(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id", "background");
        json.WriteString("type", "background");
        json.WriteStartObject("paint");
        json.WriteString("background-color", "#e4eaee");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>One fill layer per class of <paramref name="breaks"/>, then the units without a value.</summary>
    private static void WriteFills(Utf8JsonWriter json, FillZoom zoom, ClassBreaks? breaks, IndicatorDescription indicator)
    {
        var column = indicator.Column;
        if (breaks is { Classes: > 0 })
        {
            var colors = ClassColors(breaks, indicator);
            for (var c = 0; c < breaks.Classes; c++)
            {
                double? from = c == 0 ? null : breaks.Breaks[c - 1];
                double? to = c < breaks.Breaks.Count ? breaks.Breaks[c] : null;
                WriteFillLayer(json, zoom, $"{zoom.Layer}-fill-{c}", colors[c], filter =>
                {
                    filter.WriteStartArray();
                    filter.WriteStringValue("all");
                    WriteExpression(filter, "has", column);
                    WriteComparison(filter, ">=", column, from);
                    WriteComparison(filter, "<", column, to);
                    filter.WriteEndArray();
                });
            }
        }

        WriteFillLayer(json, zoom, $"{zoom.Layer}-fill-nodata", ChoroplethPalette.NoData, filter =>
        {
            filter.WriteStartArray();
            filter.WriteStringValue("!");
            WriteExpression(filter, "has", column);
            filter.WriteEndArray();
        });
    }

    private static void WriteFillLayer(Utf8JsonWriter json, FillZoom zoom, string id, string color, Action<Utf8JsonWriter> writeFilter)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("type", "fill");
        json.WriteString("source", SourceId);
        json.WriteString("source-layer", zoom.Layer);
        WriteZooms(json, zoom.MinZoom, zoom.MaxZoom);
        json.WritePropertyName("filter");
        writeFilter(json);
        json.WriteStartObject("paint");
        json.WriteString("fill-color", color);
        json.WriteNumber("fill-opacity", 1);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary><c>[op, ["get", column], bound]</c>; nothing when there is no bound.</summary>
    private static void WriteComparison(Utf8JsonWriter json, string op, string column, double? bound)
    {
        if (bound is not { } value)
        {
            return;
        }

        json.WriteStartArray();
        json.WriteStringValue(op);
        WriteExpression(json, "get", column);
        json.WriteNumberValue(value);
        json.WriteEndArray();
    }

    private static void WriteBorders(Utf8JsonWriter json, List<FillZoom> zooms)
    {
        // Finest first, so that coarser borders draw over finer ones.
        foreach (var zoom in zooms.OrderByDescending(z => z.Level))
        {
            var (color, opacity, widths) = zoom.Level switch
            {
                AdminLevel.District => ("#ffffff", 0.7, new[] { (5.0, 0.2), (9.0, 0.8), (12.0, 1.5) }),
                AdminLevel.Province => ("#5c5c5c", 0.8, [(3.0, 0.3), (8.0, 1.0), (12.0, 2.0)]),
                _ => ("#262626", 1.0, [(0.0, 0.5), (6.0, 1.2), (12.0, 3.0)]),
            };
            json.WriteStartObject();
            json.WriteString("id", $"{zoom.Layer}-line");
            json.WriteString("type", "line");
            json.WriteString("source", SourceId);
            json.WriteString("source-layer", zoom.Layer);
            WriteZooms(json, zoom.MinZoom, null);
            json.WriteStartObject("layout");
            json.WriteString("line-join", "round");
            json.WriteEndObject();
            json.WriteStartObject("paint");
            json.WriteString("line-color", color);
            json.WriteNumber("line-opacity", opacity);
            json.WritePropertyName("line-width");
            WriteZoomInterpolation(json, widths);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    /// <summary>
    /// Department names until three zooms into districts, province names from one to five zooms into districts,
    /// district names from three zooms into districts on (a district is then about 100 pixels wide on Peru).
    /// </summary>
    private static void WriteLabels(Utf8JsonWriter json, List<FillZoom> zooms, string fontStack)
    {
        var districtsFrom = zooms.FirstOrDefault(z => z.Level == AdminLevel.District)?.MinZoom;
        foreach (var zoom in zooms)
        {
            var (from, until, size, upper) = zoom.Level switch
            {
                AdminLevel.Department => (zoom.MinZoom, districtsFrom + 3, new[] { (3.0, 10.0), (8.0, 15.0) }, true),
                AdminLevel.Province => (Math.Max(zoom.MinZoom, (districtsFrom ?? zoom.MinZoom) + 1), districtsFrom + 5, [(5.0, 10.0), (10.0, 13.0)], false),
                _ => (zoom.MinZoom + 3, (int?)null, [(8.0, 10.0), (12.0, 13.0)], false),
            };
            json.WriteStartObject();
            json.WriteString("id", $"{zoom.Layer}-label");
            json.WriteString("type", "symbol");
            json.WriteString("source", SourceId);
            json.WriteString("source-layer", "labels");
            WriteZooms(json, from, until);
            json.WriteStartArray("filter");
            json.WriteStringValue("==");
            WriteExpression(json, "get", "level");
            json.WriteStringValue(zoom.Level.ToString().ToLowerInvariant());
            json.WriteEndArray();
            json.WriteStartObject("layout");
            WriteExpression(json, "text-field", "get", "name");
            json.WriteStartArray("text-font");
            json.WriteStringValue(fontStack);
            json.WriteEndArray();
            json.WritePropertyName("text-size");
            WriteZoomInterpolation(json, size);
            json.WriteNumber("text-max-width", 8);
            if (upper)
            {
                json.WriteNumber("text-letter-spacing", 0.08);
            }

            json.WriteEndObject();
            json.WriteStartObject("paint");
            json.WriteString("text-color", upper ? "#1a1a1a" : "#333333");
            json.WriteString("text-halo-color", "#ffffff");
            json.WriteNumber("text-halo-width", 1.4);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private static void WriteZooms(Utf8JsonWriter json, int minZoom, int? maxZoom)
    {
        if (minZoom > 0)
        {
            json.WriteNumber("minzoom", minZoom);
        }

        if (maxZoom is { } max)
        {
            json.WriteNumber("maxzoom", max);
        }
    }

    /// <summary><c>["interpolate", ["linear"], ["zoom"], z0, v0, z1, v1, ...]</c>.</summary>
    private static void WriteZoomInterpolation(Utf8JsonWriter json, (double Zoom, double Value)[] stops)
    {
        json.WriteStartArray();
        json.WriteStringValue("interpolate");
        json.WriteStartArray();
        json.WriteStringValue("linear");
        json.WriteEndArray();
        json.WriteStartArray();
        json.WriteStringValue("zoom");
        json.WriteEndArray();
        foreach (var (zoom, value) in stops)
        {
            json.WriteNumberValue(zoom);
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    /// <summary><c>[op, argument]</c>.</summary>
    private static void WriteExpression(Utf8JsonWriter json, string op, string argument)
    {
        json.WriteStartArray();
        json.WriteStringValue(op);
        json.WriteStringValue(argument);
        json.WriteEndArray();
    }

    /// <summary><c>"property": [op, argument]</c>.</summary>
    private static void WriteExpression(Utf8JsonWriter json, string property, string op, string argument)
    {
        json.WritePropertyName(property);
        WriteExpression(json, op, argument);
    }
}
