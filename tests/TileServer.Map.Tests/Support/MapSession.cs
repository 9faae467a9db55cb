using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace TileServer.Map.Tests.Support;

/// <summary>
/// One browser context on the map page: it records every console error, page error, failed request, error status
/// and request that leaves the server, and waits for MapLibre's <c>idle</c> event (never a fixed sleep, never
/// <c>load</c>).
/// </summary>
public sealed class MapSession : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private MapSession(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
    }

    public IPage Page { get; }

    /// <summary>Everything that went wrong or left the server, one line each.</summary>
    public List<string> Problems { get; } = [];

    private readonly List<(string Url, long Bytes, long DecodedBytes)> _transfers = [];

    /// <summary>Weighings still running: Playwright raises a response's event before its body has arrived.</summary>
    private readonly List<Task> _weighing = [];

    /// <summary>Bytes received per request URL (encoded, as sent over the wire), once every response seen so far is weighed.</summary>
    public async Task<List<(string Url, long Bytes, long DecodedBytes)>> TransfersAsync()
    {
        Task[] pending;
        lock (_weighing)
        {
            pending = [.. _weighing];
        }

        await Task.WhenAll(pending);
        lock (_transfers)
        {
            return [.. _transfers];
        }
    }

    /// <param name="server">The server under test.</param>
    /// <param name="path">The page to open.</param>
    /// <param name="options">The browser context (default: a 1280x800 desktop).</param>
    /// <param name="ready">A function the page evaluates until it is true (default: the map's first <c>idle</c>).</param>
    public static async Task<MapSession> OpenAsync(MapServerFixture server, string path = "/", BrowserNewContextOptions? options = null, string ready = "() => window.povertyMapFirstIdle")
    {
        if (RealClients.BrowserMissing is { } missing)
        {
            Assert.Fail(missing);
        }

        options ??= new BrowserNewContextOptions();
        options.ViewportSize ??= new ViewportSize { Width = 1280, Height = 800 };
        options.AcceptDownloads = true;
        var context = await server.Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var session = new MapSession(context, page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session.Problems.Add($"console error: {message.Text}");
            }
        };
        page.PageError += (_, error) => session.Problems.Add($"page error: {error}");
        context.RequestFailed += (_, request) =>
        {
            // MapLibre cancels the tile requests of a view it has left: not a failure.
            if (request.Failure != "net::ERR_ABORTED")
            {
                session.Problems.Add($"request failed: {request.Url} {request.Failure}");
            }
        };
        context.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(server.BaseUrl, StringComparison.Ordinal) && !request.Url.StartsWith("blob:", StringComparison.Ordinal)
                && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                session.Problems.Add($"request left the server: {request.Url}");
            }
        };
        context.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                session.Problems.Add($"HTTP {response.Status}: {response.Url}");
            }

            lock (session._weighing)
            {
                session._weighing.Add(session.WeighAsync(response));
            }
        };
        await page.GotoAsync(server.BaseUrl + path);
        await page.WaitForFunctionAsync(ready, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        return session;
    }

    private async Task WeighAsync(IResponse response)
    {
        try
        {
            var sizes = await response.Request.SizesAsync();
            var decoded = (await response.BodyAsync()).Length;
            lock (_transfers)
            {
                _transfers.Add((response.Url, sizes.ResponseBodySize, decoded));
            }
        }
        catch (PlaywrightException)
        {
            // A response whose body is gone (a redirect, a closed page) is not weighed.
        }
    }

    /// <summary>Runs <paramref name="script"/> (a function of the map) and resolves on the next MapLibre <c>idle</c> after it.</summary>
    public Task AfterIdleAsync(string script) =>
        Page.EvaluateAsync($"() => new Promise(resolve => {{ const map = window.povertyMap; map.once('idle', () => resolve(true)); ({script})(map); map.triggerRepaint(); }})");

    public Task JumpToAsync(double lon, double lat, double zoom) =>
        AfterIdleAsync($"map => map.jumpTo({{ center: [{F(lon)}, {F(lat)}], zoom: {F(zoom)} }})");

    public Task FitAsync(double west, double south, double east, double north) =>
        AfterIdleAsync($"map => map.fitBounds([{F(west)}, {F(south)}, {F(east)}, {F(north)}], {{ padding: 80, animate: false }})");

    /// <summary>Page coordinates (CSS pixels) of a lon/lat on the map.</summary>
    public async Task<(float X, float Y)> PixelOfAsync(double lon, double lat)
    {
        var box = await Page.Locator("#map").BoundingBoxAsync() ?? throw new InvalidOperationException("no map element");
        var point = await Page.EvaluateAsync<JsonElement>($"() => {{ const p = window.povertyMap.project([{F(lon)}, {F(lat)}]); return [p.x, p.y]; }}");
        return (box.X + point[0].GetSingle(), box.Y + point[1].GetSingle());
    }

    /// <summary>The rendered colour at a lon/lat, read back from MapLibre's WebGL canvas.</summary>
    public async Task<(int R, int G, int B)> ColorAtAsync(double lon, double lat)
    {
        var rgb = await Page.EvaluateAsync<int[]>($$"""
            () => {
              const map = window.povertyMap;
              const canvas = map.getCanvas();
              const p = map.project([{{F(lon)}}, {{F(lat)}}]);
              const copy = document.createElement('canvas');
              copy.width = canvas.width;
              copy.height = canvas.height;
              const g = copy.getContext('2d');
              g.drawImage(canvas, 0, 0);
              const ratio = canvas.width / canvas.clientWidth;
              const d = g.getImageData(Math.round(p.x * ratio), Math.round(p.y * ratio), 1, 1).data;
              return [d[0], d[1], d[2]];
            }
            """);
        return (rgb[0], rgb[1], rgb[2]);
    }

    /// <summary>Hides borders, names, outlines and markers, so that a pixel shows the fill alone.</summary>
    public Task ShowFillsOnlyAsync() =>
        AfterIdleAsync("map => { for (const l of map.getStyle().layers) { if (l.type === 'line' || l.type === 'symbol' || l.type === 'circle') map.setLayoutProperty(l.id, 'visibility', 'none'); } }");

    /// <summary>The colour the page's legend gives <paramref name="value"/>: the class whose range holds it.</summary>
    public async Task<(int R, int G, int B)> LegendColorAsync(double value)
    {
        var classes = await Page.Locator("#legend-classes li:not([data-nodata])").EvaluateAllAsync<JsonElement>(
            "items => items.map(i => ({ from: i.dataset.from, to: i.dataset.to, color: i.dataset.color }))");
        foreach (var c in classes.EnumerateArray())
        {
            var from = c.GetProperty("from").GetString() is { Length: > 0 } f ? double.Parse(f, CultureInfo.InvariantCulture) : double.NegativeInfinity;
            var to = c.GetProperty("to").GetString() is { Length: > 0 } t ? double.Parse(t, CultureInfo.InvariantCulture) : double.PositiveInfinity;
            if (value >= from && value < to)
            {
                var hex = c.GetProperty("color").GetString()!;
                return (Convert.ToInt32(hex[1..3], 16), Convert.ToInt32(hex[3..5], 16), Convert.ToInt32(hex[5..7], 16));
            }
        }

        throw new InvalidOperationException($"no legend class holds {value}");
    }

    /// <summary>Two rendered colours within 3 of each other per channel (software rendering rounds).</summary>
    public static bool Close((int R, int G, int B) a, (int R, int G, int B) b) =>
        Math.Abs(a.R - b.R) <= 3 && Math.Abs(a.G - b.G) <= 3 && Math.Abs(a.B - b.B) <= 3;

    public async Task ScreenshotAsync(MapServerFixture server, string name) =>
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(server.ScreenshotFolder, name) });

    public void AssertNoProblems() => Assert.True(Problems.Count == 0, string.Join("\n", Problems));

    public async ValueTask DisposeAsync() => await _context.CloseAsync();

    private static string F(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
