using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using nietras.SeparatedValues;
using TileServer.Map.Tests.Support;

namespace TileServer.Map.Tests;

/// <summary>
/// The targeting panel (issue 15, "On the map") in Debian's Chromium on Peru (the sample where Peru is absent). The
/// oracle is <c>POST /v1/targeting</c> asked by the test itself with the same rules: the page must show its figures,
/// highlight exactly its selection, download that selection, and keep the rules in its URL.
/// </summary>
[Collection(MapCollection.Name)]
public sealed class TargetingPanelTests(MapServerFixture server)
{
    /// <summary>Measures every rule column shows, as the API names them.</summary>
    private static readonly string[] Figures = ["units", "population", "poor", "coverage", "undercoverage", "leakage", "precision", "cgh", "bestPoorSamePopulation", "efficiency", "skippedUnits"];

    /// <summary>How much of a faded (unselected) unit's colour is white: the fade layer's opacity in targeting.js.</summary>
    private const double Fade = 0.72;

    [BrowserFact]
    public async Task A_threshold_highlights_exactly_the_districts_the_API_selects_and_shows_its_figures()
    {
        await using var session = await MapSession.OpenAsync(server);
        await OpenPanelAsync(session);

        await session.Page.FillAsync("#rule-threshold", "50");
        await WaitForAnswerAsync(session);

        var answer = await TargetingAsync(new { name = "A", threshold = 50 });
        var rule = answer.GetProperty("results")[0];
        await AssertFiguresAsync(session, 0, rule);
        var selected = Codes(rule.GetProperty("selected"));
        Assert.NotEmpty(selected);
        Assert.Equal(selected.Order(StringComparer.Ordinal), await TargetedAsync(session));
        var scope = answer.GetProperty("scope");
        Assert.Equal(scope.GetProperty("units").GetInt32().ToString(CultureInfo.InvariantCulture), await session.Page.GetAttributeAsync("#targeting-status", "data-units"));

        // Rendered: a selected district keeps its legend colour; another is faded towards white.
        var districts = server.Snapshot.Districts;
        var column = districts.ColumnIndex("pobreza_pct");
        var chosen = selected.Select(c => districts.Find(c)!).MaxBy(u => u.Geometry.Area)!;
        var left = districts.Units.Where(u => !selected.Contains(u.Code) && districts.Number(districts.IndexOf(u.Code), column) is not null).MaxBy(u => u.Geometry.Area)!;
        await session.ShowFillsOnlyAsync();
        foreach (var (unit, faded) in new[] { (chosen, false), (left, true) })
        {
            var point = Places.InteriorPoint(unit);
            var box = unit.Geometry.EnvelopeInternal;
            await session.FitAsync(box.MinX, box.MinY, box.MaxX, box.MaxY);
            var legend = await session.LegendColorAsync((double)unit.Values[column]!);
            var expected = faded ? (Whiten(legend.R), Whiten(legend.G), Whiten(legend.B)) : legend;

            var color = await session.ColorAtAsync(point.X, point.Y);

            Assert.True(MapSession.Close(color, expected), $"{unit.Name} ({unit.Code}, {(faded ? "not selected" : "selected")}): rendered {color}, expected {expected}");
        }

        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task Three_rules_side_by_side_are_the_API_answer_for_the_same_rules_and_a_fourth_cannot_be_added()
    {
        await using var session = await MapSession.OpenAsync(server);
        await OpenPanelAsync(session);
        await session.Page.FillAsync("#rule-threshold", "50");

        await session.Page.ClickAsync("#rule-add");
        Assert.Equal("top", await session.Page.InputValueAsync("#rule-kind"));
        await session.Page.FillAsync("#rule-top", "150");
        await session.Page.ClickAsync("#rule-add");
        Assert.Equal("populationBudget", await session.Page.InputValueAsync("#rule-kind"));
        await session.Page.FillAsync("#rule-population-budget", "1500000");
        await WaitForAnswerAsync(session);

        Assert.True(await session.Page.IsDisabledAsync("#rule-add"));
        var answer = await TargetingAsync(new { name = "A", threshold = 50 }, new { name = "B", top = 150 }, new { name = "C", populationBudget = 1_500_000 });
        for (var i = 0; i < 3; i++)
        {
            await AssertFiguresAsync(session, i, answer.GetProperty("results")[i]);
        }

        Assert.Equal(Codes(answer.GetProperty("results")[2].GetProperty("selected")).Order(StringComparer.Ordinal), await TargetedAsync(session));
        // The tabs answer the arrow keys; the map follows the active rule.
        await session.Page.FocusAsync("#rule-tab-2");
        await session.Page.Keyboard.PressAsync("ArrowLeft");
        Assert.Equal("true", await session.Page.GetAttributeAsync("#rule-tab-1", "aria-selected"));
        Assert.Equal(150, (await TargetedAsync(session)).Count);
        Assert.Equal(Codes(answer.GetProperty("results")[1].GetProperty("selected")).Order(StringComparer.Ordinal), await TargetedAsync(session));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task The_selection_downloads_as_CSV_worst_first_with_the_units_estimates()
    {
        await using var session = await MapSession.OpenAsync(server);
        await OpenPanelAsync(session);
        await session.Page.FillAsync("#rule-threshold", "50");
        await WaitForAnswerAsync(session);
        var selected = Codes((await TargetingAsync(new { name = "A", threshold = 50 })).GetProperty("results")[0].GetProperty("selected"));

        var download = await session.Page.RunAndWaitForDownloadAsync(() => session.Page.ClickAsync("#targeting-csv"));
        // Read by a CSV library (RFC 4180 quoting), not by the server's own batch parser.
        using var csv = Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(await download.PathAsync());
        var header = csv.Header.ColNames.ToArray();
        var rows = csv.Enumerate(row => row[..].ToStringsArray()).ToList();

        Assert.EndsWith(".csv", download.SuggestedFilename, StringComparison.Ordinal);
        Assert.Equal(["order", "code", "name"], header[..3]);
        Assert.Equal(selected, rows.Select(r => r[1]));
        Assert.Equal(Enumerable.Range(1, selected.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
        var districts = server.Snapshot.Districts;
        foreach (var name in new[] { "poblacion", "pobreza_pct" })
        {
            var at = Array.IndexOf(header, name);
            Assert.True(at > 0, $"no column {name} in {string.Join(',', header)}");
            var column = districts.ColumnIndex(name);
            Assert.All(rows, r => Assert.Equal(districts.Number(districts.IndexOf(r[1]), column), double.Parse(r[at], CultureInfo.InvariantCulture)));
        }

        Assert.All(rows, r => Assert.Equal(districts.Find(r[1])!.Name, r[2]));
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task A_link_keeps_the_rules_and_reopens_the_same_comparison()
    {
        string link;
        List<string?> shown;
        await using (var session = await MapSession.OpenAsync(server))
        {
            await OpenPanelAsync(session);
            await session.Page.SelectOptionAsync("#rule-indicator", "pobreza_extrema_pct");
            await session.Page.FillAsync("#rule-threshold", "20");
            await session.Page.ClickAsync("#rule-add");
            await session.Page.FillAsync("#rule-top", "75");
            await WaitForAnswerAsync(session);
            link = new Uri(session.Page.Url).PathAndQuery + new Uri(session.Page.Url).Fragment;
            Assert.Contains("targeting=", link, StringComparison.Ordinal);
            shown = await FigureValuesAsync(session);

            await session.Page.ClickAsync("#targeting-close");
            Assert.DoesNotContain("targeting=", session.Page.Url, StringComparison.Ordinal);
            Assert.Empty(await TargetedAsync(session));
        }

        await using var again = await MapSession.OpenAsync(server, link);
        await WaitForAnswerAsync(again);

        Assert.True(await again.Page.IsVisibleAsync("#targeting"));
        Assert.Equal("true", await again.Page.GetAttributeAsync("#rule-tab-1", "aria-selected"));
        Assert.Equal("75", await again.Page.InputValueAsync("#rule-top"));
        Assert.Equal(shown, await FigureValuesAsync(again));
        await again.Page.ClickAsync("#rule-tab-0");
        Assert.Equal("pobreza_extrema_pct", await again.Page.InputValueAsync("#rule-indicator"));
        Assert.Equal("20", await again.Page.InputValueAsync("#rule-threshold"));
        again.AssertNoProblems();
    }

    [BrowserFact]
    public async Task A_link_with_an_unknown_rule_opens_the_default_rule()
    {
        await using var session = await MapSession.OpenAsync(server, "/#targeting=district/all/nope/0/threshold:nope:5");
        await WaitForAnswerAsync(session);

        Assert.Equal("threshold", await session.Page.InputValueAsync("#rule-kind"));
        Assert.Equal("pobreza_pct", await session.Page.InputValueAsync("#rule-indicator"));
        Assert.NotEmpty(await session.Page.GetAttributeAsync("#targeting-figures tr[data-key='units'] td[data-rule='0']", "data-value") ?? "");
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task On_a_phone_the_targeting_panel_is_a_bottom_sheet_that_gives_way_to_a_unit()
    {
        await using var session = await MapSession.OpenAsync(server, "/", new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            DeviceScaleFactor = 2,
            HasTouch = true,
            IsMobile = true,
        });
        await OpenPanelAsync(session);
        await session.Page.FillAsync("#rule-threshold", "50");
        await WaitForAnswerAsync(session);

        var sheet = await session.Page.Locator("#targeting").BoundingBoxAsync();
        Assert.NotNull(sheet);
        Assert.Equal(0, sheet.X, 1);
        Assert.Equal(390, sheet.Width, 1);
        Assert.Equal(844, sheet.Y + sheet.Height, 1);
        await session.AfterIdleAsync("map => {}");
        await session.ScreenshotAsync(server, "map-phone-targeting.png");

        var unit = server.Peru ? server.Snapshot.Districts.Find("150101")! : server.Snapshot.Districts.Units[0];
        var point = Places.InteriorPoint(unit);
        // The unit in the part of the map above the sheet, where a person would tap it.
        await session.AfterIdleAsync(string.Create(CultureInfo.InvariantCulture,
            $"map => map.jumpTo({{ center: [{point.X}, {point.Y}], zoom: 12, padding: {{ top: 0, left: 0, right: 0, bottom: {sheet.Height} }} }})"));
        var (x, y) = await session.PixelOfAsync(point.X, point.Y);
        Assert.True(y < sheet.Y, $"the unit at y={y} is under the sheet from y={sheet.Y}");
        await session.Page.Touchscreen.TapAsync(x, y);
        await session.Page.Locator("#panel-title").WaitForAsync();

        Assert.False(await session.Page.IsVisibleAsync("#targeting"));
        Assert.Equal(unit.Name, await session.Page.TextContentAsync("#panel-title"));
        Assert.NotEmpty(await TargetedAsync(session));
        Assert.Contains("targeting=", session.Page.Url, StringComparison.Ordinal);
        session.AssertNoProblems();
    }

    [BrowserFact]
    public async Task The_desktop_screenshot_shows_the_comparison()
    {
        await using var session = await MapSession.OpenAsync(server, "/#map=5.3/-10.2/-72.6");
        await OpenPanelAsync(session);
        await session.Page.FillAsync("#rule-threshold", "50");
        await session.Page.ClickAsync("#rule-add");
        await session.Page.ClickAsync("#rule-tab-0");
        await WaitForAnswerAsync(session);
        await session.AfterIdleAsync("map => {}");

        await session.ScreenshotAsync(server, "map-targeting.png");

        Assert.Equal(2, await session.Page.Locator("#targeting-figures thead th[data-rule]").CountAsync());
        session.AssertNoProblems();
    }

    private static async Task OpenPanelAsync(MapSession session)
    {
        await session.Page.ClickAsync("#targeting-open");
        await WaitForAnswerAsync(session);
        Assert.Equal("true", await session.Page.GetAttributeAsync("#targeting-open", "aria-expanded"));
    }

    /// <summary>Until the panel shows the answer to the rules its URL holds (the last change has been answered).</summary>
    private static Task WaitForAnswerAsync(MapSession session) =>
        session.Page.WaitForFunctionAsync("""
            () => {
              const panel = document.getElementById('targeting');
              const rules = new URLSearchParams(location.hash.slice(1)).get('targeting');
              return !panel.hidden && panel.dataset.state === 'ready' && panel.dataset.request === rules;
            }
            """);

    /// <summary>The district codes whose feature-state says <c>targeted</c>, in code order.</summary>
    private async Task<List<string>> TargetedAsync(MapSession session)
    {
        var codes = server.Snapshot.Districts.Units.Select(u => u.Code).ToArray();
        var targeted = await session.Page.EvaluateAsync<string[]>(
            "codes => codes.filter(c => window.povertyMap.getFeatureState({ source: 'poverty', sourceLayer: 'districts', id: Number(c) }).targeted)", codes);
        return [.. targeted.Order(StringComparer.Ordinal)];
    }

    private async Task<JsonElement> TargetingAsync(params object[] rules)
    {
        using var response = await server.Http.PostAsJsonAsync("/v1/targeting", new { level = "district", indicator = "pobreza_pct", rules });
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task AssertFiguresAsync(MapSession session, int rule, JsonElement expected)
    {
        foreach (var figure in Figures)
        {
            var shown = await session.Page.GetAttributeAsync($"#targeting-figures tr[data-key='{figure}'] td[data-rule='{rule}']", "data-value");
            var value = expected.GetProperty(figure);
            if (value.ValueKind == JsonValueKind.Null)
            {
                Assert.Equal("", shown);
            }
            else
            {
                Assert.True(shown is { Length: > 0 }, $"rule {rule}: {figure} not shown");
                Assert.Equal(value.GetDouble(), double.Parse(shown, CultureInfo.InvariantCulture));
            }
        }
    }

    private static async Task<List<string?>> FigureValuesAsync(MapSession session) =>
        [.. await session.Page.Locator("#targeting-figures td[data-rule]").EvaluateAllAsync<string?[]>("cells => cells.map(c => c.dataset.value)")];

    private static List<string> Codes(JsonElement codes) => [.. codes.EnumerateArray().Select(c => c.GetString()!)];

    private static int Whiten(int channel) => (int)Math.Round(channel * (1 - Fade) + 255 * Fade);
}
