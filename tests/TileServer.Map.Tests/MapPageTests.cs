using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using TileServer.Core.Model;
using TileServer.Map.Tests.Support;

namespace TileServer.Map.Tests;

/// <summary>
/// The map page in Debian's Chromium with software WebGL, against the server on Peru (the embedded sample where Peru
/// is absent). The oracles are the server's JSON API (<c>/v1/districts</c>, <c>/v1/aggregate</c>) and the legend the
/// page shows; the page must agree with both.
/// </summary>
[Collection(MapCollection.Name)]
public sealed class MapPageTests(MapServerFixture server)
{
    /// <summary>Plaza de Armas of Lima, in district 150101 (LIMA).</summary>
    private const double PlazaLon = -77.03028, PlazaLat = -12.04583;

    [BrowserFact]
    public async Task The_first_view_renders_with_no_console_error_no_failed_request_and_nothing_from_outside()
    {
        await using var session = await MapSession.OpenAsync(server);

        await session.ScreenshotAsync(server, "map-desktop.png");
        Assert.Equal("es", await session.Page.GetAttributeAsync("html", "lang"));
        Assert.True(await session.Page.Locator("#legend-classes li").CountAsync() >= 3);
        var links = await session.Page.Locator(".api-links a").EvaluateAllAsync<string[]>("links => links.map(a => a.getAttribute('href'))");
        Assert.Contains(links, l => l.EndsWith("/api", StringComparison.Ordinal));
        Assert.Contains(links, l => l.EndsWith("/collections", StringComparison.Ordinal));
        Assert.Contains(links, l => l.EndsWith("/styles/poverty.json", StringComparison.Ordinal));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Page_weight_besides_MapLibre_and_tiles_is_under_150_KB()
    {
        await using var session = await MapSession.OpenAsync(server);

        var weighed = (await session.TransfersAsync()).Where(t => !t.Url.Contains("/map/lib/", StringComparison.Ordinal) && !t.Url.Contains("/tiles/poverty/", StringComparison.Ordinal)).ToList();
        var bytes = weighed.Sum(t => t.Bytes);
        Assert.Contains(weighed, t => t.Url.Contains("/map/app.js", StringComparison.Ordinal));
        Assert.Contains(weighed, t => t.Url.Contains("/fonts/", StringComparison.Ordinal));
        Assert.True(bytes < 150 * 1024, $"{bytes} bytes: " + string.Join(", ", weighed.Select(t => $"{t.Url} {t.Bytes}")));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Rendered_colours_at_Lima_and_at_a_poor_Andean_district_are_the_legend_classes_of_their_values()
    {
        await using var session = await MapSession.OpenAsync(server);
        foreach (var unit in new[] { Lima, PoorestDistrict(server.Peru ? "09" : null) })
        {
            var point = Places.InteriorPoint(unit);
            var box = unit.Geometry.EnvelopeInternal;
            await session.FitAsync(box.MinX, box.MinY, box.MaxX, box.MaxY);
            await session.ShowFillsOnlyAsync();
            var value = await DistrictValueAsync(unit.Code, "pobreza_pct");

            var color = await session.ColorAtAsync(point.X, point.Y);

            var expected = await session.LegendColorAsync(value);
            Assert.True(MapSession.Close(color, expected), $"{unit.Name} ({unit.Code}), pobreza_pct {value}: rendered {color}, legend class {expected}");
            await session.Page.ReloadAsync();
            await session.Page.WaitForFunctionAsync("() => window.povertyMapFirstIdle");
        }

        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Switching_the_indicator_recolours_each_unit_to_its_class_in_the_new_legend_and_hover_names_it()
    {
        await using var session = await MapSession.OpenAsync(server);
        var unit = MostReclassedDistrict("pobreza_pct", "pobreza_extrema_pct");
        var point = Places.InteriorPoint(unit);
        var box = unit.Geometry.EnvelopeInternal;
        await session.FitAsync(box.MinX, box.MinY, box.MaxX, box.MaxY);
        var before = await session.LegendColorAsync(await DistrictValueAsync(unit.Code, "pobreza_pct"));

        await session.Page.SelectOptionAsync("#indicator", "pobreza_extrema_pct");
        await session.Page.WaitForFunctionAsync("() => location.hash.includes('indicator=pobreza_extrema_pct')");
        await session.ShowFillsOnlyAsync();

        var value = await DistrictValueAsync(unit.Code, "pobreza_extrema_pct");
        var expected = await session.LegendColorAsync(value);
        Assert.False(MapSession.Close(before, expected), $"{unit.Name}: the test needs a unit whose class changes, both are {expected}");
        var color = await session.ColorAtAsync(point.X, point.Y);
        Assert.True(MapSession.Close(color, expected), $"{unit.Name} ({unit.Code}), pobreza_extrema_pct {value}: rendered {color}, legend class {expected} (before the switch {before})");
        var (x, y) = await session.PixelOfAsync(point.X, point.Y);
        await session.Page.Mouse.MoveAsync(x, y);
        var tooltip = session.Page.Locator(".hover-tooltip");
        await tooltip.WaitForAsync();
        Assert.StartsWith($"{unit.Name}: ", await tooltip.TextContentAsync(), StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Clicking_Lima_shows_LIMA_with_the_poverty_rate_of_the_API()
    {
        await using var session = await MapSession.OpenAsync(server);
        var lima = Lima;
        var point = Places.InteriorPoint(lima);
        await session.JumpToAsync(point.X, point.Y, 12);

        var (x, y) = await session.PixelOfAsync(point.X, point.Y);
        await session.Page.Mouse.ClickAsync(x, y);
        await session.Page.Locator("#panel-title").WaitForAsync();

        Assert.Equal(lima.Name, await session.Page.TextContentAsync("#panel-title"));
        var shown = await session.Page.GetAttributeAsync("tr[data-column='pobreza_pct']", "data-value");
        Assert.Equal(await DistrictValueAsync(lima.Code, "pobreza_pct"), double.Parse(shown!, CultureInfo.InvariantCulture));
        var rank = await session.Page.TextContentAsync("tr.rank[data-column='pobreza_pct']");
        Assert.Contains("más pobre", rank, StringComparison.Ordinal);
        Assert.Contains($"district/{lima.Code}", session.Page.Url, StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Searching_without_accents_lists_the_accented_name_and_opens_it()
    {
        var (query, name, department) = server.Peru ? ("asuncion", "ASUNCIÓN", "AMAZONAS") : ("anyau", "ÁNYAU", "PAMLIHUAN");
        await using var session = await MapSession.OpenAsync(server);

        await session.Page.FillAsync("#search", query);
        var option = session.Page.Locator("#search-results .option").Filter(new LocatorFilterOptions { HasText = department }).Filter(new LocatorFilterOptions { HasText = name }).First;
        await option.WaitForAsync();
        Assert.Equal("true", await session.Page.GetAttributeAsync("#search", "aria-expanded"));
        await option.ClickAsync();
        await session.Page.Locator("#panel-title").WaitForAsync();

        Assert.Equal(name, await session.Page.TextContentAsync("#panel-title"));
        Assert.Equal(department, await session.Page.TextContentAsync(".breadcrumbs li:first-child button"));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Where_am_I_at_the_Plaza_de_Armas_of_Lima_shows_LIMA()
    {
        var (lon, lat, expected) = server.Peru ? (PlazaLon, PlazaLat, "LIMA") : (Places.InteriorPoint(Lima).X, Places.InteriorPoint(Lima).Y, Lima.Name);
        await using var session = await MapSession.OpenAsync(server, "/", new BrowserNewContextOptions
        {
            Geolocation = new Geolocation { Longitude = (float)lon, Latitude = (float)lat },
            Permissions = ["geolocation"],
        });

        await session.Page.ClickAsync("#locate");
        await session.Page.Locator(".location").WaitForAsync();

        Assert.Equal(expected, await session.Page.TextContentAsync("#panel-title"));
        Assert.Equal("inside", await session.Page.GetAttributeAsync(".location", "data-match"));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Where_am_I_just_off_the_coast_shows_the_snapped_district_with_its_distance()
    {
        // 300 m due west of the coverage's westernmost vertex: outside every district, and no border is nearer than
        // that vertex, so the nearest border is 300 m away (within Lookup:MaxSnapMetres, 1,000 m).
        var west = server.Snapshot.Districts.Units.SelectMany(u => u.Geometry.Coordinates).MinBy(c => c.X)!;
        const double Metres = 300;
        var lon = (float)(west.X - (Metres / (111_320 * Math.Cos(west.Y * Math.PI / 180))));
        var lat = (float)west.Y;
        await using var session = await MapSession.OpenAsync(server, "/", new BrowserNewContextOptions
        {
            Geolocation = new Geolocation { Longitude = lon, Latitude = lat },
            Permissions = ["geolocation"],
        });

        await session.Page.ClickAsync("#locate");
        await session.Page.Locator(".location").WaitForAsync();

        var answer = await server.Http.GetFromJsonAsync<JsonElement>(string.Create(CultureInfo.InvariantCulture, $"/v1/lookup?lat={(double)lat:R}&lon={(double)lon:R}"));
        Assert.Equal("nearest", answer.GetProperty("match").GetString());
        Assert.Equal(Metres, answer.GetProperty("distanceMeters").GetDouble(), Metres * 0.03);
        Assert.Equal(answer.GetProperty("name").GetString(), await session.Page.TextContentAsync("#panel-title"));
        Assert.Equal("nearest", await session.Page.GetAttributeAsync(".location", "data-match"));
        var shown = double.Parse((await session.Page.GetAttributeAsync(".location", "data-distance"))!, CultureInfo.InvariantCulture);
        // Chromium's emulated position differs from the float given to it by centimetres to decimetres.
        Assert.Equal(answer.GetProperty("distanceMeters").GetDouble(), shown, tolerance: 2);
        Assert.Contains(" m", await session.Page.TextContentAsync(".location"), StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Drawing_a_box_around_Lima_shows_the_population_the_aggregate_API_gives_for_that_box()
    {
        await using var session = await MapSession.OpenAsync(server);
        var (lon, lat) = server.Peru ? (PlazaLon, PlazaLat) : (Places.InteriorPoint(Lima).X, Places.InteriorPoint(Lima).Y);
        await session.JumpToAsync(lon, lat, 11);
        var (x, y) = await session.PixelOfAsync(lon, lat);

        await session.Page.ClickAsync("[data-draw='box']");
        Assert.Equal("true", await session.Page.GetAttributeAsync("[data-draw='box']", "aria-pressed"));
        await session.Page.Mouse.MoveAsync(x - 120, y - 90);
        await session.Page.Mouse.DownAsync();
        await session.Page.Mouse.MoveAsync(x, y, new MouseMoveOptions { Steps = 5 });
        await session.Page.Mouse.MoveAsync(x + 120, y + 90, new MouseMoveOptions { Steps = 5 });
        await session.Page.Mouse.UpAsync();
        await session.Page.Locator("[data-key='population'] dd").WaitForAsync();

        var bbox = await session.Page.GetAttributeAsync(".area", "data-bbox");
        var corners = bbox!.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.True(corners[0] < lon && lon < corners[2] && corners[1] < lat && lat < corners[3], $"the box {bbox} holds the centre");
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/v1/aggregate?bbox={bbox}");
        var shown = await session.Page.GetAttributeAsync("[data-key='population'] dd", "data-value");
        Assert.Equal(answer.GetProperty("population").GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
        Assert.True(answer.GetProperty("population").GetDouble() > 0);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Drawing_a_circle_shows_its_radius_in_km_and_the_population_the_aggregate_API_gives_for_it()
    {
        await using var session = await MapSession.OpenAsync(server);
        var (lon, lat) = server.Peru ? (PlazaLon, PlazaLat) : (Places.InteriorPoint(Lima).X, Places.InteriorPoint(Lima).Y);
        const double Zoom = 11, Pixels = 100;
        await session.JumpToAsync(lon, lat, Zoom);
        var (x, y) = await session.PixelOfAsync(lon, lat);

        await session.Page.ClickAsync("[data-draw='circle']");
        await session.Page.Mouse.MoveAsync(x, y);
        await session.Page.Mouse.DownAsync();
        await session.Page.Mouse.MoveAsync(x + (float)Pixels, y, new MouseMoveOptions { Steps = 5 });
        var label = await session.Page.TextContentAsync(".radius-label");
        await session.Page.Mouse.UpAsync();
        await session.Page.Locator("[data-key='population'] dd").WaitForAsync();

        // The oracle: 100 CSS pixels east at zoom 11 on MapLibre's 512-pixel Web Mercator tiles.
        var expectedKm = Pixels * 40_075.016686 * Math.Cos(lat * Math.PI / 180) / (512 * Math.Pow(2, Zoom));
        var area = session.Page.Locator(".area");
        Assert.Equal("circle", await area.GetAttributeAsync("data-kind"));
        var radiusKm = double.Parse((await area.GetAttributeAsync("data-radius-km"))!, CultureInfo.InvariantCulture);
        Assert.Equal(expectedKm, radiusKm, tolerance: expectedKm * 0.02);
        Assert.Matches(@"\d km$", label!.Trim());
        Assert.Equal(expectedKm, double.Parse(label.Trim().Split(' ')[^2], CultureInfo.InvariantCulture), tolerance: 0.1);
        var (centreLat, centreLon) = (await area.GetAttributeAsync("data-lat"), await area.GetAttributeAsync("data-lon"));
        var centre = string.Create(CultureInfo.InvariantCulture, $"lat={centreLat}&lon={centreLon}&radiusKm={radiusKm}");
        var answer = await server.Http.GetFromJsonAsync<JsonElement>($"/v1/aggregate?{centre}");
        var shown = await session.Page.GetAttributeAsync("[data-key='population'] dd", "data-value");
        Assert.True(answer.GetProperty("population").GetDouble() > 0);
        Assert.Equal(answer.GetProperty("population").GetDouble(), double.Parse(shown!, CultureInfo.InvariantCulture));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task On_a_phone_the_panel_is_a_bottom_sheet()
    {
        await using var session = await MapSession.OpenAsync(server, "/", new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            HasTouch = true,
            IsMobile = true,
        });
        await session.ScreenshotAsync(server, "map-phone.png");
        var unit = Lima;
        var point = Places.InteriorPoint(unit);
        await session.JumpToAsync(point.X, point.Y, 12);

        var (x, y) = await session.PixelOfAsync(point.X, point.Y);
        await session.Page.Touchscreen.TapAsync(x, y);
        await session.Page.Locator("#panel-title").WaitForAsync();

        var sheet = await session.Page.Locator("#panel").BoundingBoxAsync();
        Assert.NotNull(sheet);
        Assert.Equal(0, sheet.X, 1);
        Assert.Equal(390, sheet.Width, 1);
        Assert.Equal(844, sheet.Y + sheet.Height, 1);
        Assert.True(sheet.Height <= 844 * 0.56, $"sheet height {sheet.Height}");
        await session.ScreenshotAsync(server, "map-phone-panel.png");
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task A_link_reproduces_the_view_the_indicator_the_selection_and_the_language()
    {
        var unit = Lima;
        var point = Places.InteriorPoint(unit);
        var link = string.Create(CultureInfo.InvariantCulture, $"/#map=9/{point.Y:F4}/{point.X:F4}&indicator=idh&unit=district/{unit.Code}&lang=en");

        await using var session = await MapSession.OpenAsync(server, link);
        await session.Page.Locator("#panel-title").WaitForAsync();

        Assert.Equal("idh", await session.Page.InputValueAsync("#indicator"));
        Assert.Equal(unit.Name, await session.Page.TextContentAsync("#panel-title"));
        Assert.Equal("en", await session.Page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Where am I?", await session.Page.TextContentAsync("#locate"));
        var center = await session.Page.EvaluateAsync<double[]>("() => { const c = window.povertyMap.getCenter(); return [c.lng, c.lat, window.povertyMap.getZoom()]; }");
        Assert.Equal(point.X, center[0], 0.01);
        Assert.Equal(point.Y, center[1], 0.01);
        Assert.Equal(9, center[2], 0.01);
        Assert.Contains("highlight", string.Join(",", await session.Page.EvaluateAsync<string[]>("() => window.povertyMap.getStyle().layers.map(l => l.id)")), StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Download_PNG_saves_the_current_view()
    {
        await using var session = await MapSession.OpenAsync(server);

        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.ClickAsync("#download"));
        var path = await download.PathAsync();

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        Assert.True(bytes.Length > 20_000, $"{bytes.Length} bytes");
        Assert.EndsWith(".png", download.SuggestedFilename, StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Every_control_has_a_label_and_the_search_works_from_the_keyboard()
    {
        await using var session = await MapSession.OpenAsync(server);

        const string Unnamed = """
            () => [...document.querySelectorAll('button, select, input, [role=region], [role=tab]')]
              .filter(e => !(e.getAttribute('aria-label') || e.labels?.[0]?.textContent?.trim() || e.textContent.trim()))
              .map(e => e.outerHTML.slice(0, 80))
            """;
        Assert.Empty(await session.Page.EvaluateAsync<string[]>(Unnamed));
        // The targeting panel's controls are made when it opens, a rule's when it is added.
        await session.Page.ClickAsync("#targeting-open");
        await session.Page.Locator("#rule-threshold").WaitForAsync();
        await session.Page.ClickAsync("#rule-add");
        await session.Page.SelectOptionAsync("#rule-kind", "budget");
        Assert.Empty(await session.Page.EvaluateAsync<string[]>(Unnamed));
        await session.Page.ClickAsync("#targeting-close");
        var (query, name) = server.Peru ? ("asuncion", "ASUNCIÓN") : ("anyau", "ÁNYAU");
        await session.Page.FocusAsync("#search");
        await session.Page.Keyboard.TypeAsync(query);
        await session.Page.Locator("#search-results .option").First.Filter(new LocatorFilterOptions { HasText = name }).WaitForAsync();
        await session.Page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal("search-option-0", await session.Page.GetAttributeAsync("#search", "aria-activedescendant"));
        await session.Page.Keyboard.PressAsync("Enter");
        await session.Page.Locator("#panel-title").WaitForAsync();
        Assert.Equal(name, await session.Page.TextContentAsync("#panel-title"));

        // Enter typed faster than the suggestions arrive opens the first answer to what the box says.
        var other = Lima.Name;
        await session.Page.FillAsync("#search", "");
        await session.Page.FocusAsync("#search");
        await session.Page.Keyboard.TypeAsync(other.ToLowerInvariant());
        await session.Page.Keyboard.PressAsync("Enter");
        await session.Page.Locator("#panel-title").Filter(new LocatorFilterOptions { HasTextString = other }).WaitForAsync();
        Assert.Equal(other, await session.Page.TextContentAsync("#panel-title"));
        session.AssertNoProblems();
    }

    /// <summary>The district of Lima (150101), or the sample's first district where Peru is absent.</summary>
    private AdminUnit Lima => server.Peru ? server.Snapshot.Districts.Find("150101")! : server.Snapshot.Districts.Units[0];

    private AdminUnit PoorestDistrict(string? department)
    {
        var layer = server.Snapshot.Districts;
        var column = layer.ColumnIndex("pobreza_pct");
        return Enumerable.Range(0, layer.Units.Count)
            .Where(i => department is null || layer.Units[i].Code.StartsWith(department, StringComparison.Ordinal))
            .Where(i => layer.Number(i, column) is not null)
            .Select(i => layer.Units[i])
            .MaxBy(u => (double)u.Values[column]!)!;
    }

    /// <summary>
    /// The district whose standing among districts differs most between two indicators (share of districts below it,
    /// computed here), so that its class, and colour, change when the map switches from one to the other.
    /// </summary>
    private AdminUnit MostReclassedDistrict(string from, string to)
    {
        var layer = server.Snapshot.Districts;
        var (a, b) = (layer.ColumnIndex(from), layer.ColumnIndex(to));
        var both = Enumerable.Range(0, layer.Units.Count).Where(i => layer.Number(i, a) is not null && layer.Number(i, b) is not null).ToList();
        double Standing(int i, int column) => both.Count(j => layer.Number(j, column) < layer.Number(i, column)) / (double)both.Count;
        return layer.Units[both.MaxBy(i => Math.Abs(Standing(i, a) - Standing(i, b)))];
    }

    private async Task<double> DistrictValueAsync(string code, string column)
    {
        var feature = await server.Http.GetFromJsonAsync<JsonElement>($"/v1/districts/{code}");
        return feature.GetProperty("properties").GetProperty("estimates").GetProperty(column).GetDouble();
    }
}
