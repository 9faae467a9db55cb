using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using TileServer.Infrastructure;
using TileServer.Map;

namespace TileServer.Landing;

/// <summary>
/// <c>GET /</c>: one landing page, two representations. API clients (<c>Accept: application/json</c>, <c>*/*</c>,
/// no <c>Accept</c>, or <c>?f=json</c>) get the OGC API landing page as JSON; a browser (<c>text/html</c> preferred
/// over JSON) or <c>?f=html</c> gets the web map, whose header carries the same title, description and links.
/// </summary>
public static class LandingEndpoints
{
    public static IEndpointRouteBuilder MapLanding(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Landing).WithTags("Landing page");
        return app;
    }

    private static Results<Ok<LandingPage>, ContentHttpResult, ProblemHttpResult> Landing(HttpContext context, string? f, MapPage page)
    {
        context.Response.Headers.Vary = HeaderNames.Accept;
        var html = f switch
        {
            "html" => true,
            "json" => false,
            null or "" => PrefersHtml(context.Request.Headers.Accept),
            _ => (bool?)null,
        };
        if (html is null)
        {
            return Problems.BadRequest("Invalid parameter 'f'", $"f must be 'json' or 'html', got '{f}'.");
        }

        var landing = LandingPage.For(context.Request);
        if (html.Value)
        {
            return page.Render(context.Request, landing);
        }

        return TypedResults.Ok(landing);
    }

    /// <summary>
    /// True when <c>Accept</c> names <c>text/html</c> with a higher quality than <c>application/json</c> gets (itself
    /// or through <c>application/*</c> or <c>*/*</c>): browsers list <c>text/html</c> first and JSON only through
    /// <c>*/*;q=0.8</c>; OWSLib sends <c>*/*</c>, GDAL and QGIS <c>application/json</c>. A tie goes to JSON.
    /// </summary>
    internal static bool PrefersHtml(Microsoft.Extensions.Primitives.StringValues accept)
    {
        if (!MediaTypeHeaderValue.TryParseList(accept, out var types))
        {
            return false;
        }

        double html = 0, json = 0;
        foreach (var type in types)
        {
            var quality = type.Quality ?? 1;
            if (type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase))
            {
                html = Math.Max(html, quality);
            }
            else if (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || type.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                || type.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json, quality);
            }
        }

        return html > json;
    }
}

/// <summary>A link of the landing page (OGC API - Common).</summary>
public sealed record LandingLink(
    [property: JsonPropertyName("href")] string Href,
    [property: JsonPropertyName("rel")] string Rel,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("title")] string Title);

/// <summary>
/// The landing page: what the server is and where its parts are, for API clients (JSON, OGC API - Features) and for
/// people (the web map's header).
/// </summary>
public sealed record LandingPage(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("links")] IReadOnlyList<LandingLink> Links)
{
    public const string DefaultTitle = "TileServer: district poverty maps";

    public const string DefaultDescription =
        "District poverty estimates with their provinces and departments: a web map, vector tiles and a MapLibre style, "
        + "OGC API - Features for GIS, district-by-GPS lookups and population-weighted aggregation over any area.";

    /// <summary>The landing page with absolute links as the request reached the server.</summary>
    public static LandingPage For(HttpRequest request)
    {
        var root = RequestUrls.Base(request);
        return new LandingPage(DefaultTitle, DefaultDescription,
        [
            new($"{root}/?f=json", "self", "application/json", "This document"),
            new($"{root}/?f=html", "alternate", "text/html", "The web map"),
            new($"{root}/api", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "The API definition (OpenAPI 3.0)"),
            new($"{root}/api.html", "service-doc", "text/html", "The API documentation"),
            new($"{root}/conformance", "conformance", "application/json", "Conformance classes implemented"),
            new($"{root}/collections", "data", "application/json", "Collections: departments, provinces, districts (and downloads)"),
            new($"{root}/tiles/poverty.json", "tiles", "application/json", "Vector tiles (TileJSON)"),
            new($"{root}/styles/poverty.json", "stylesheet", "application/json", "MapLibre style of the poverty map"),
        ]);
    }
}
