using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Features;
using TileServer.Core.Styles;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Features;

namespace TileServer.Map;

/// <summary>
/// The web map: its page (<c>/map</c>, and <c>/</c> for browsers, see <see cref="FeatureEndpoints"/>), its files
/// (<c>/map/{path}</c>: the page's modules and MapLibre under <c>/map/lib/</c>), the MapLibre style of the poverty map
/// (<c>/styles/poverty.json</c>) and the glyphs its labels use (<c>/fonts/{fontstack}/{range}.pbf</c>).
/// </summary>
public static class MapEndpoints
{
    /// <summary>Where the page, MapLibre and the glyphs are: <c>wwwroot</c> beside the server's assembly (the build copies them there).</summary>
    public static string AssetRoot => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>Binds and validates <see cref="MapOptions"/> (section <c>Map</c>) and registers the page and its files.</summary>
    public static IHostApplicationBuilder AddWebMap(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<MapOptions>(MapOptions.SectionName, options => options.Validate());
        builder.Services.AddSingleton(_ => new StaticAssetStore(AssetRoot));
        builder.Services.AddSingleton<MapPage>();
        return builder;
    }

    /// <summary>The page, its files and the glyphs: they do not read the dataset, so they answer while it loads.</summary>
    public static IEndpointRouteBuilder MapWebMap(this IEndpointRouteBuilder app)
    {
        var map = app.MapGroup("").WithTags("Web map");
        map.MapGet("/map", Page);
        map.MapGet("/map/{**path}", Asset);
        map.MapGet("/fonts/{fontstack}/{range}.pbf", Glyphs);
        return app;
    }

    /// <summary><c>GET /styles/poverty.json</c> (mapped in the <c>/styles</c> group, which requires the dataset).</summary>
    public static IEndpointRouteBuilder MapStyles(this IEndpointRouteBuilder styles)
    {
        styles.MapGet("/poverty.json", Style).WithTags("Web map");
        return styles;
    }

    /// <summary>
    /// <c>GET /map</c>: the map page, the same a browser gets at <c>/</c> (<see cref="FeatureEndpoints"/>), with the
    /// landing page's links; while the dataset loads, without the download links that need it.
    /// </summary>
    private static ContentHttpResult Page(HttpContext context, MapPage page, DatasetStore store, IOptions<FeaturesOptions> features)
    {
        var links = new OgcLinks(context.Request);
        return store.Current is { } dataset
            ? page.Render(context.Request, dataset.FeaturesOptions.Title, dataset.FeaturesOptions.Description, FeatureDocuments.LandingLinks(links, dataset.Snapshot.Features))
            : page.Render(context.Request, features.Value.Title, features.Value.Description, FeatureDocuments.ServiceLinks(links));
    }

    /// <summary><c>GET /map/{path}</c>: a file of the page or of MapLibre.</summary>
    private static Results<StaticAssetResult, ProblemHttpResult> Asset(string path, StaticAssetStore assets, IOptions<MapOptions> options)
    {
        if (assets.Find($"map/{path}") is not { } asset)
        {
            return Problems.NotFound("No such file", $"The map has no file '{path}'.");
        }

        return StaticAssetStore.Serve(asset, options.Value.CacheControl);
    }

    /// <summary>
    /// <c>GET /fonts/{fontstack}/{range}.pbf</c>: one range of 256 glyphs (<c>0-255</c>, <c>256-511</c>, ...) as signed
    /// distance fields, built from Noto Sans (see <c>src/map/build/assets.mjs</c>). A comma-separated font stack
    /// answers with its first font that the server has (MapLibre asks for <c>text-font</c> joined by commas).
    /// </summary>
    private static Results<StaticAssetResult, ProblemHttpResult> Glyphs(string fontstack, string range, StaticAssetStore assets, IOptions<MapOptions> options)
    {
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !int.TryParse(range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !int.TryParse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || start % 256 != 0 || end != start + 255 || end > 65535)
        {
            return Problems.BadRequest("Invalid glyph range", $"A glyph range is 256 code points from a multiple of 256, such as 0-255 or 256-511 (at most 65280-65535); got '{range}'.");
        }

        var fonts = fontstack.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var font in fonts)
        {
            if (assets.Find($"fonts/{font}/{start}-{end}.pbf") is { } asset)
            {
                return StaticAssetStore.Serve(asset, options.Value.CacheControl);
            }
        }

        var available = assets.Under("fonts").Select(p => p.Split('/')[1]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return Problems.NotFound("Unknown font", available.Count == 0
            ? "This server was built without its glyphs (Node.js was missing at build time; see the README)."
            : $"No font of '{fontstack}' is served here; fonts: {string.Join(", ", available)}.");
    }

    /// <summary>
    /// <c>GET /styles/poverty.json?indicator=</c>: the MapLibre style (spec v8) of the poverty map coloured by a numeric
    /// estimate column (default <see cref="MapOptions.DefaultIndicator"/>), with absolute URLs to this server's TileJSON
    /// and glyphs so that other MapLibre hosts and QGIS can load it.
    /// </summary>
    private static Results<StaticAssetResult, ProblemHttpResult> Style(HttpContext context, string? indicator, ServedDataset dataset)
    {
        var snapshot = dataset.Snapshot;
        if (snapshot.Tiles is not { } tiles)
        {
            return Problems.NotFound("Tiles are off", "This server was started with Tiles:Enabled=false; the style draws its tiles.");
        }

        var classes = snapshot.Classes;
        var map = dataset.MapOptions;
        string column;
        if (string.IsNullOrEmpty(indicator))
        {
            column = classes.Has(map.DefaultIndicator) ? map.DefaultIndicator
                : classes.Indicators.FirstOrDefault() ?? "";
            if (column.Length == 0)
            {
                return Problems.NotFound("No indicator", "The estimates have no numeric column to colour the map by.");
            }
        }
        else if (!classes.Has(indicator))
        {
            var text = snapshot.Districts.ColumnIndex(indicator) >= 0;
            return Problems.BadRequest("Invalid parameter 'indicator'", (text ? $"'{indicator}' is a text column; " : $"No estimate column is called '{indicator}'; ")
                + $"numeric columns: {string.Join(", ", classes.Indicators)}.");
        }
        else
        {
            column = classes.Indicators.First(i => string.Equals(i, indicator, StringComparison.OrdinalIgnoreCase));
        }

        var urls = context.RequestServices.GetRequiredService<PublicUrls>();
        var root = urls.Base(context.Request);
        var described = snapshot.Features.Find("districts");
        var bytes = PovertyStyle.Write(
            tiles.Info,
            classes,
            Describe(map, described, column),
            [.. classes.Indicators.Select(i => Describe(map, described, i))],
            new StyleEndpoints($"{root}/tiles/{tiles.Info.Name}.json", $"{root}/fonts/{{fontstack}}/{{range}}.pbf", map.FontStack));
        return StaticAssetStore.Serve(StaticAsset.From(bytes, "application/json"), map.CacheControl, urls.Vary(HeaderNames.AcceptEncoding));
    }

    /// <summary>
    /// How <paramref name="column"/> is presented: its <c>Map:Indicators</c> entry (title in Spanish first, unit,
    /// direction); without one, the title and unit the features describe it with (<c>Dataset:ColumnDescriptions</c>),
    /// higher values worse; without either, its name.
    /// </summary>
    internal static IndicatorDescription Describe(MapOptions options, FeatureSet? features, string column)
    {
        if (options.Indicators.TryGetValue(column, out var configured))
        {
            var title = configured.Title.GetValueOrDefault("es") ?? configured.Title.Values.FirstOrDefault() ?? column;
            return new IndicatorDescription(column, title, configured.Unit, configured.HigherIsWorse);
        }

        var property = features?.PropertyIndex(column) is >= 0 and var index ? features.Properties[index] : null;
        return new IndicatorDescription(column, string.IsNullOrEmpty(property?.Title) ? column : property.Title, property?.Unit ?? "", HigherIsWorse: true);
    }
}
