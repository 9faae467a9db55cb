using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TileServer.Core.Features;

namespace TileServer.Map;

/// <summary>
/// The web map's HTML: the page template (<c>wwwroot/page.html</c>, from <c>src/map/web/page.html</c>) with the
/// landing page's title, description and links in its header, the base path, and the page's configuration (the
/// default indicator, the basemap, each indicator's titles and units) as JSON. When MapLibre's files are missing
/// (the server was built without Node.js), the page says how to get them instead of failing in the browser.
/// </summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
public sealed class MapPage
{
    /// <summary>The file whose presence tells that the npm assets were built.</summary>
    public const string LibraryModule = "map/lib/maplibre-gl.mjs";

    private static readonly JsonSerializerOptions ConfigJson = new(JsonSerializerDefaults.Web);

    private readonly string _template;
    private readonly MapOptions _options;

    public MapPage(StaticAssetStore assets, IOptions<MapOptions> options)
    {
        ArgumentNullException.ThrowIfNull(assets);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        LibraryAvailable = assets.Contains(LibraryModule);
        var template = Path.Combine(assets.Root, StaticAssetStore.PageTemplate);
        _template = File.Exists(template)
            ? File.ReadAllText(template)
            : "<!doctype html><title>{{title}}</title><p>The map page's template (wwwroot/page.html) is missing from this build.</p>";
    }

    /// <summary>True when MapLibre's ES modules are there to serve.</summary>
    public bool LibraryAvailable { get; }

    /// <summary>The page with the landing page's <paramref name="title"/>, <paramref name="description"/> and links in its header.</summary>
    public ContentHttpResult Render(HttpRequest request, string title, string? description, IEnumerable<FeatureLink> landing)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(landing);
        // The service's links in the header; the downloads (rel "enclosure", one per layer and format) in a list of their own.
        var links = new StringBuilder();
        var downloads = new StringBuilder();
        foreach (var link in landing.Where(l => l.Rel is not ("self" or "alternate")))
        {
            (link.Rel == "enclosure" ? downloads : links).Append("<li><a href=\"").Append(WebUtility.HtmlEncode(link.Href)).Append("\" type=\"").Append(WebUtility.HtmlEncode(link.Type))
                .Append("\" data-rel=\"").Append(WebUtility.HtmlEncode(link.Rel)).Append("\">").Append(WebUtility.HtmlEncode(link.Title ?? link.Rel)).Append("</a></li>");
        }

        // System.Text.Json escapes <, > and & by default, so the JSON cannot close the script element it sits in.
        var config = JsonSerializer.Serialize(new PageConfig(
            request.PathBase.Value ?? "",
            _options.DefaultIndicator,
            _options.BasemapStyle,
            _options.Indicators.ToDictionary(
                i => i.Key,
                i => new PageIndicator(i.Value.Title, i.Value.Unit, i.Value.HigherIsWorse, i.Value.RankLabel),
                StringComparer.OrdinalIgnoreCase),
            LibraryAvailable), ConfigJson);
        var html = new StringBuilder(_template)
            .Replace("{{title}}", WebUtility.HtmlEncode(title))
            .Replace("{{description}}", WebUtility.HtmlEncode(description ?? ""))
            .Replace("{{base}}", WebUtility.HtmlEncode(request.PathBase.Value ?? ""))
            .Replace("{{links}}", links.ToString())
            .Replace("{{downloads}}", downloads.ToString())
            .Replace("{{config}}", config)
            .Replace("{{missing}}", LibraryAvailable ? "" : MissingAssetsNotice)
            .ToString();
        return TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8);
    }

    /// <summary>Shown in place of the map when the npm assets were not built (bilingual: the page's scripts cannot run).</summary>
    private const string MissingAssetsNotice =
        "<div class=\"missing\" role=\"alert\"><p lang=\"es\">Faltan los archivos del mapa (MapLibre GL JS y las fuentes). "
        + "Instale Node.js 20 o posterior y vuelva a compilar el servidor (<code>dotnet build</code> ejecuta "
        + "<code>npm ci</code> y <code>npm run build</code> en <code>src/map</code>), o ejecútelos a mano y reinicie.</p>"
        + "<p lang=\"en\">The map's files (MapLibre GL JS and the fonts) are missing. Install Node.js 20 or later and "
        + "rebuild the server (<code>dotnet build</code> runs <code>npm ci</code> and <code>npm run build</code> in "
        + "<code>src/map</code>), or run them by hand and restart.</p></div>";

    private sealed record PageConfig(
        string Base,
        string DefaultIndicator,
        string BasemapStyle,
        IReadOnlyDictionary<string, PageIndicator> Indicators,
        bool LibraryAvailable);

    private sealed record PageIndicator(
        IReadOnlyDictionary<string, string> Title,
        string Unit,
        bool HigherIsWorse,
        [property: JsonPropertyName("rankLabel")] IReadOnlyDictionary<string, string> RankLabel);
}
