using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Map;

/// <summary>The style, glyph and file endpoints of the web map over the embedded sample.</summary>
[Collection(SampleCollection.Name)]
public class SampleMapApiTests(SampleServerFixture sample)
{
    [Fact]
    public async Task The_style_points_at_this_server_and_is_coloured_by_the_default_indicator()
    {
        using var response = await sample.Client.GetAsync("/styles/poverty.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var style = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = style.RootElement;
        Assert.Equal(8, root.GetProperty("version").GetInt32());
        Assert.Equal("http://localhost/tiles/poverty.json", root.GetProperty("sources").GetProperty("poverty").GetProperty("url").GetString());
        Assert.Equal("http://localhost/fonts/{fontstack}/{range}.pbf", root.GetProperty("glyphs").GetString());
        Assert.Equal("pobreza_pct", root.GetProperty("metadata").GetProperty("tileserver:indicator").GetString());
        var fills = root.GetProperty("layers").EnumerateArray().Where(l => l.GetProperty("id").GetString()!.StartsWith("districts-fill-", StringComparison.Ordinal)).ToList();
        Assert.Equal(sample.Snapshot.Classes.For("pobreza_pct", Core.Model.AdminLevel.District)!.Classes + 1, fills.Count);
        Assert.All(fills, f => Assert.Contains("\"pobreza_pct\"", f.GetProperty("filter").GetRawText(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Any_numeric_column_can_colour_the_style_and_its_title_comes_from_the_configuration()
    {
        using var style = JsonDocument.Parse(await sample.Client.GetStringAsync("/styles/poverty.json?indicator=IDH"));

        var legend = style.RootElement.GetProperty("metadata").GetProperty("tileserver:legend");
        Assert.Equal("idh", legend.GetProperty("indicator").GetProperty("name").GetString());
        Assert.Equal("Índice de desarrollo humano (2019)", legend.GetProperty("indicator").GetProperty("title").GetString());
        Assert.False(legend.GetProperty("indicator").GetProperty("higherIsWorse").GetBoolean());
        var breaks = sample.Snapshot.Classes.For("idh", Core.Model.AdminLevel.District)!.Breaks;
        var districts = legend.GetProperty("levels").EnumerateArray().Single(l => l.GetProperty("layer").GetString() == "districts");
        Assert.Equal(breaks, districts.GetProperty("breaks").EnumerateArray().Select(b => b.GetDouble()));
    }

    [Theory]
    [InlineData("nope", "No estimate column")]
    [InlineData("distrito", "text column")]
    public async Task An_indicator_that_is_not_a_numeric_column_is_a_problem_listing_the_columns(string indicator, string reason)
    {
        using var response = await sample.Client.GetAsync($"/styles/poverty.json?indicator={indicator}");

        var problem = await ProblemAssert.IsProblemAsync(response, 400);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
        Assert.Contains("pobreza_pct", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_style_is_revalidated_by_etag_and_sent_gzip_when_accepted()
    {
        using var first = await sample.Client.SendAsync(Get("/styles/poverty.json", acceptEncoding: "gzip"));
        var etag = first.Headers.ETag!.Tag;
        Assert.Equal("gzip", Assert.Single(first.Content.Headers.ContentEncoding));
        var text = await Gunzip(first);
        Assert.Equal(8, JsonDocument.Parse(text).RootElement.GetProperty("version").GetInt32());

        using var again = await sample.Client.SendAsync(Get("/styles/poverty.json", acceptEncoding: "gzip", ifNoneMatch: etag));

        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
    }

    [MapAssetsFact]
    public async Task MapLibre_is_served_as_an_es_module_gzip_when_accepted_with_an_etag()
    {
        using var plain = await sample.Client.SendAsync(Get("/map/lib/maplibre-gl.mjs"));
        using var gzip = await sample.Client.SendAsync(Get("/map/lib/maplibre-gl.mjs", acceptEncoding: "gzip"));
        using var head = await sample.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/map/lib/maplibre-gl-worker.mjs"));

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal("text/javascript", plain.Content.Headers.ContentType?.MediaType);
        var bytes = await plain.Content.ReadAsByteArrayAsync();
        Assert.Equal(bytes.Length, Encoding.UTF8.GetByteCount(await Gunzip(gzip)));
        Assert.True(gzip.Content.Headers.ContentLength < bytes.Length / 2);
        Assert.NotEqual(plain.Headers.ETag, gzip.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        using var notModified = await sample.Client.SendAsync(Get("/map/lib/maplibre-gl.mjs", ifNoneMatch: plain.Headers.ETag!.Tag));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Theory]
    [InlineData("/map/nope.js")]
    [InlineData("/map/../appsettings.json")]
    [InlineData("/map/%2e%2e/appsettings.json")]
    [InlineData("/map/lib/")]
    public async Task Anything_but_the_map_s_files_is_not_found(string path)
    {
        using var response = await sample.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [MapAssetsFact]
    public async Task A_glyph_range_decodes_to_the_glyphs_of_its_code_points()
    {
        using var response = await sample.Client.GetAsync("/fonts/Noto%20Sans%20Regular/0-255.pbf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-protobuf", response.Content.Headers.ContentType?.MediaType);
        var stack = GlyphPbf.Read(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("Noto Sans Regular", stack.Name);
        Assert.Equal("0-255", stack.Range);
        foreach (var c in "AZaz09ÁÉÍÓÚÑñü")
        {
            var glyph = stack.Glyphs[c];
            Assert.True(glyph.Width > 0 && glyph.Height > 0 && glyph.Advance > 0, $"glyph '{c}'");
            Assert.Equal((glyph.Width + 6) * (glyph.Height + 6), glyph.Bitmap.Length);
        }

        // 'I' is a vertical stem: the middle of its bitmap is inside the outline (at or above the 192 edge).
        var i = stack.Glyphs['I'];
        Assert.True(i.Bitmap[((i.Height + 6) / 2 * (i.Width + 6)) + ((i.Width + 6) / 2)] >= 192);
        Assert.True(stack.Glyphs['Ñ'].Top > stack.Glyphs['N'].Top, "the tilde rises above N");
        Assert.Equal(0, stack.Glyphs[' '].Width);
    }

    [MapAssetsFact]
    public async Task A_font_stack_answers_with_its_first_font_the_server_has()
    {
        using var listed = await sample.Client.GetAsync("/fonts/Open%20Sans%20Bold,Noto%20Sans%20Regular/256-511.pbf");

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var stack = GlyphPbf.Read(await listed.Content.ReadAsByteArrayAsync());
        Assert.Equal("256-511", stack.Range);
        Assert.True(stack.Glyphs.ContainsKey('Ł'));
    }

    [Theory]
    [InlineData("/fonts/Noto%20Sans%20Regular/0-254.pbf", 400)]
    [InlineData("/fonts/Noto%20Sans%20Regular/1-256.pbf", 400)]
    [InlineData("/fonts/Noto%20Sans%20Regular/65536-65791.pbf", 400)]
    [InlineData("/fonts/Noto%20Sans%20Regular/a-b.pbf", 400)]
    [InlineData("/fonts/Comic%20Sans/0-255.pbf", 404)]
    public async Task A_bad_range_or_an_unknown_font_is_a_problem(string path, int status)
    {
        using var response = await sample.Client.GetAsync(path);

        await ProblemAssert.IsProblemAsync(response, status);
    }

    [Fact]
    public async Task A_unit_carries_its_derived_counts_and_its_ranks()
    {
        var unit = sample.Snapshot.Districts.Units.First(u => u.Values.All(v => v is not null));

        using var json = JsonDocument.Parse(await sample.Client.GetStringAsync($"/v1/districts/{unit.Code}"));

        var properties = json.RootElement.GetProperty("properties");
        var estimates = properties.GetProperty("estimates");
        var poor = estimates.GetProperty("pobreza_pct").GetDouble() / 100 * estimates.GetProperty("poblacion").GetDouble();
        Assert.Equal(Math.Round(poor, 2), properties.GetProperty("derivedCounts").GetProperty("pobres").GetDouble(), 6);
        var rank = properties.GetProperty("ranks").GetProperty("pobreza_pct");
        var value = estimates.GetProperty("pobreza_pct").GetDouble();
        var peers = sample.Snapshot.Districts.Units.Where(u => u.DepartmentCode == unit.DepartmentCode)
            .Select(u => u.Values[sample.Snapshot.Districts.ColumnIndex("pobreza_pct")] as double?).OfType<double>().ToArray();
        Assert.Equal(1 + peers.Count(p => p > value), rank.GetProperty("department").GetProperty("fromHighest").GetInt32());
        Assert.Equal(peers.Length, rank.GetProperty("department").GetProperty("of").GetInt32());
        Assert.Equal(sample.Snapshot.Districts.Units.Count(u => u.Values[sample.Snapshot.Districts.ColumnIndex("pobreza_pct")] is not null),
            rank.GetProperty("country").GetProperty("of").GetInt32());
    }

    private static HttpRequestMessage Get(string path, string? acceptEncoding = null, string? ifNoneMatch = null) =>
        Requests.Get(path, acceptEncoding, ifNoneMatch);

    private static async Task<string> Gunzip(HttpResponseMessage response)
    {
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }
}

/// <summary>
/// A reader of the glyph protobuf (node-fontnik's glyphs.proto: glyphs.stacks = 1; fontstack name = 1, range = 2,
/// glyphs = 3; glyph id = 1, bitmap = 2, width = 3, height = 4, left = 5 (sint32), top = 6 (sint32), advance = 7),
/// written from the format, independent of the writer.
/// </summary>
internal static class GlyphPbf
{
    public sealed record Glyph(int Id, byte[] Bitmap, int Width, int Height, int Left, int Top, int Advance);

    public sealed record Stack(string Name, string Range, Dictionary<char, Glyph> Glyphs);

    public static Stack Read(byte[] data)
    {
        var root = Fields(data).Single(f => f.Number == 1);
        string name = "", range = "";
        var glyphs = new Dictionary<char, Glyph>();
        foreach (var field in Fields(root.Bytes!))
        {
            switch (field.Number)
            {
                case 1: name = Encoding.UTF8.GetString(field.Bytes!); break;
                case 2: range = Encoding.UTF8.GetString(field.Bytes!); break;
                case 3:
                    var g = Fields(field.Bytes!).ToDictionary(f => f.Number);
                    var glyph = new Glyph((int)g[1].Value, g.TryGetValue(2, out var b) ? b.Bytes! : [], (int)g[3].Value, (int)g[4].Value,
                        Zigzag(g[5].Value), Zigzag(g[6].Value), (int)g[7].Value);
                    glyphs[(char)glyph.Id] = glyph;
                    break;
            }
        }

        return new Stack(name, range, glyphs);
    }

    private static int Zigzag(ulong v) => (int)(v >> 1) ^ -(int)(v & 1);

    private static IEnumerable<(int Number, ulong Value, byte[]? Bytes)> Fields(byte[] data)
    {
        var at = 0;
        while (at < data.Length)
        {
            var key = Varint(data, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    yield return (number, Varint(data, ref at), null);
                    break;
                case 2:
                    var length = (int)Varint(data, ref at);
                    yield return (number, 0, data[at..(at + length)]);
                    at += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {key & 7} at {at}");
            }
        }
    }

    private static ulong Varint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
