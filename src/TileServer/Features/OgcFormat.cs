using Microsoft.Net.Http.Headers;

namespace TileServer.Features;

/// <summary>The representations of the OGC API door: <c>f=</c> values and media types.</summary>
public enum OgcFormat
{
    Json,
    Html,
    Csv,
    GeoPackage,
    Shapefile,
}

public static class OgcFormats
{
    public const string GeoJson = "application/geo+json";
    public const string Json = "application/json";
    public const string SchemaJson = "application/schema+json";
    public const string Html = "text/html";
    public const string Csv = "text/csv";
    public const string GeoPackage = "application/geopackage+sqlite3";
    public const string Zip = "application/zip";
    public const string OpenApi = "application/vnd.oai.openapi+json;version=3.0";

    /// <summary>The <c>f</c> value of a format.</summary>
    public static string Parameter(OgcFormat format) => format switch
    {
        OgcFormat.Json => "json",
        OgcFormat.Html => "html",
        OgcFormat.Csv => "csv",
        OgcFormat.GeoPackage => "gpkg",
        _ => "shp",
    };

    /// <summary>
    /// The format of a request: <c>f</c> when given (an unknown value is an error listing <paramref name="allowed"/>),
    /// else the best of <c>Accept</c> by quality, ties and wildcards going to the first allowed format (JSON), so that
    /// <c>*/*</c> and no <c>Accept</c> get JSON and a browser, which prefers <c>text/html</c>, gets HTML.
    /// </summary>
    public static OgcFormat? Negotiate(HttpRequest request, IReadOnlyList<OgcFormat> allowed, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(allowed);
        error = null;
        if (request.Query.TryGetValue("f", out var f))
        {
            var format = f.ToString().ToLowerInvariant() switch
            {
                "json" or "geojson" => OgcFormat.Json,
                "html" => OgcFormat.Html,
                "csv" => OgcFormat.Csv,
                "gpkg" or "geopackage" => OgcFormat.GeoPackage,
                "shp" or "shapefile" => OgcFormat.Shapefile,
                _ => (OgcFormat?)null,
            };
            if (format is null || !allowed.Contains(format.Value))
            {
                error = $"'f' must be one of {string.Join(", ", allowed.Select(Parameter))}; got '{f}'.";
                return null;
            }

            return format;
        }

        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted) || accepted.Count == 0)
        {
            return allowed[0];
        }

        var best = allowed[0];
        var bestQuality = -1.0;
        foreach (var media in accepted)
        {
            var quality = media.Quality ?? 1;
            if (media.MatchesAllTypes || media.MatchesAllSubTypes)
            {
                if (quality > bestQuality)
                {
                    (best, bestQuality) = (allowed[0], quality);
                }

                continue;
            }

            var type = media.MediaType.Value?.ToLowerInvariant();
            OgcFormat? format = type switch
            {
                GeoJson or Json or SchemaJson or "application/vnd.oai.openapi+json" => OgcFormat.Json,
                Html or "application/xhtml+xml" => OgcFormat.Html,
                Csv => OgcFormat.Csv,
                GeoPackage => OgcFormat.GeoPackage,
                Zip or "application/x-shapefile" => OgcFormat.Shapefile,
                _ => null,
            };
            if (format is { } known && allowed.Contains(known) && quality > bestQuality)
            {
                (best, bestQuality) = (known, quality);
            }
        }

        return best;
    }
}
