using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Storage;
using TileServer.Core.Tiles;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Metrics;

namespace TileServer.Tiles;

/// <summary>
/// The <c>poverty</c> vector tileset: TileJSON 3.0.0 and Mapbox Vector Tiles from the served dataset's precomputed bytes.
/// </summary>
public static class TileEndpoints
{
    public const string ContentType = "application/vnd.mapbox-vector-tile";

    /// <summary>Mapped in the <c>/tiles</c> group: the TileJSON and the tiles.</summary>
    public static IEndpointRouteBuilder MapTiles(this IEndpointRouteBuilder tiles)
    {
        var group = tiles.MapGroup("").WithTags("Tiles");
        group.MapGet("/poverty.json", TileJson);
        var metrics = tiles.ServiceProvider.GetRequiredService<ServerMetrics>();
        group.MapGet("/poverty/{z}/{x}/{y}.{format}", (RequestDelegate)(context => ServeTileAsync(context, metrics)))
            .WithSummary("One Mapbox Vector Tile of the poverty tileset (gzip when accepted; 204 when empty), cached for Tiles:CacheControl");
        group.MapGet("/poverty/v/{version}/{z}/{x}/{y}.{format}", (RequestDelegate)(context => ServeVersionedTileAsync(context, metrics)))
            .WithSummary("The tile of one tileset version (the TileJSON's URLs): immutable, cached for a year; 404 problem for a version no longer served");
        return tiles;
    }

    /// <summary>
    /// <c>GET /tiles/poverty.json</c>: TileJSON 3.0.0, the tile URL built from the public base URL (<see cref="PublicUrls"/>:
    /// configured, or the request's scheme and host, with <c>Vary: Host</c>) and naming the tileset version (<c>/tiles/poverty/v/{version}/{z}/{x}/{y}.mvt</c>), so that the tiles can be cached
    /// for good and a reload changes the URLs; the document itself keeps <c>Tiles:CacheControl</c>.
    /// </summary>
    private static Results<JsonHttpResult<TileJsonDocument>, ProblemHttpResult> TileJson(HttpContext context, ServedDataset dataset, PublicUrls urls)
    {
        if (dataset.Snapshot.Tiles is not { } tiles)
        {
            return TilesOff();
        }

        var info = tiles.Info;
        if (urls.FromRequest)
        {
            context.Response.Headers.Vary = urls.Vary(string.Empty);
        }

        context.Response.Headers.CacheControl = dataset.TileHeaders.CacheControl;
        return TypedResults.Json(new TileJsonDocument(
            "3.0.0",
            info.Name,
            info.Description,
            info.Version,
            info.Attribution,
            "xyz",
            [$"{urls.Base(context.Request)}/tiles/{info.Name}/v/{dataset.TileHeaders.Version}/{{z}}/{{x}}/{{y}}.mvt"],
            info.MinZoom,
            info.MaxZoom,
            info.Bounds,
            info.Center,
            [.. info.VectorLayers.Select(l => new TileJsonLayer(l.Id, l.Description, l.MinZoom, l.MaxZoom, l.Fields))]));
    }

    /// <summary>
    /// <c>GET /tiles/poverty/{z}/{x}/{y}.mvt</c> (or <c>.pbf</c>): the precomputed bytes, gzip when the client accepts
    /// it; 204 for a tile without features; 304 when <c>If-None-Match</c> holds the ETag; 404 for a URL that is not the
    /// tile's canonical one (<see cref="IsCanonical"/>). Writes the stored bytes
    /// and precomputed header strings only: nothing is allocated per request beyond what Kestrel and routing do (a
    /// tile of an archive in storage too, once it is in the cache). A tile archive whose storage fails answers 502
    /// problem, one that changed at its source 503 problem with <c>Retry-After</c> (until a reload opens the new one),
    /// both <c>no-store</c>.
    /// </summary>
    private static Task ServeTileAsync(HttpContext context, ServerMetrics metrics)
    {
        var dataset = ServedDataset.From(context);
        return ServeAsync(context, dataset, dataset.TileHeaders.CacheControl, metrics);
    }

    /// <summary>
    /// <c>GET /tiles/poverty/v/{version}/{z}/{x}/{y}.mvt</c>: as the unversioned path, with
    /// <see cref="TileResponseHeaders.ImmutableCacheControl"/>, when <c>version</c> is the served tileset's. Any other
    /// version is a 404 problem that no cache may keep (<c>no-store</c>), never a redirect: the URL promises that
    /// version's bytes, and a redirect to the current version would put tiles of two datasets side by side in a map
    /// drawn from the old TileJSON (borders and colours that disagree at tile edges); the server keeps one snapshot,
    /// so the old bytes are gone. The problem names the current version and the TileJSON to read it from.
    /// </summary>
    private static Task ServeVersionedTileAsync(HttpContext context, ServerMetrics metrics)
    {
        var dataset = ServedDataset.From(context);
        var headers = dataset.TileHeaders;
        if (context.Request.RouteValues["version"] is string version && version == headers.Version)
        {
            return ServeAsync(context, dataset, TileResponseHeaders.ImmutableCacheControl, metrics);
        }

        context.Response.Headers.CacheControl = "no-store";
        return Problems.NotFound(
            "Tileset version not served",
            $"This server serves tileset version {headers.Version}, not {context.Request.RouteValues["version"]}: read the tile URLs again from {context.Request.PathBase}/tiles/poverty.json.")
            .ExecuteAsync(context);
    }

    private static async Task ServeAsync(HttpContext context, ServedDataset dataset, string cacheControl, ServerMetrics metrics)
    {
        if (dataset.Snapshot.Tiles is not { } tiles)
        {
            await TilesOff().ExecuteAsync(context);
            return;
        }

        var route = context.Request.RouteValues;
        if (route["format"] is not ("mvt" or "pbf"))
        {
            await Problems.NotFound("Unknown tile format", $"Tiles are served as .mvt or .pbf, not .{route["format"]}.").ExecuteAsync(context);
            return;
        }

        if (!TryParse(route["z"], out var z) || !TryParse(route["x"], out var x) || !TryParse(route["y"], out var y))
        {
            await Problems.BadRequest("Invalid tile coordinates", $"z, x and y must be non-negative integers; got {route["z"]}/{route["x"]}/{route["y"]}.").ExecuteAsync(context);
            return;
        }

        var info = tiles.Info;
        if (z > info.MaxZoom)
        {
            await Problems.NotFound("Zoom above maxzoom", $"Zoom {z} is above the tileset's maxzoom {info.MaxZoom}; clients overzoom the z{info.MaxZoom} tiles.").ExecuteAsync(context);
            return;
        }

        var id = new TileId(z, x, y);
        if (!id.IsValid)
        {
            var last = (1 << z) - 1;
            await Problems.BadRequest("Tile coordinates out of range", $"At zoom {z}, x and y must be between 0 and {last}; got x={x}, y={y}.").ExecuteAsync(context);
            return;
        }

        if (!IsCanonical(context, route))
        {
            await Problems.NotFound("Not a canonical tile URL",
                $"Tiles have one URL each, so that caches hold one copy: {context.Request.PathBase}/tiles/{tiles.Info.Name}/{z}/{x}/{y}.{route["format"]} (decimal numbers without leading zeros, no trailing slash, no percent-encoding).").ExecuteAsync(context);
            return;
        }

        var headers = dataset.TileHeaders;
        var response = context.Response;
        var gzip = AcceptsGzip(context.Request.Headers.AcceptEncoding);
        var etag = gzip ? headers.GzipETag : headers.RawETag;
        response.Headers.CacheControl = cacheControl;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        response.Headers.ETag = etag;
        if (Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            metrics.TileAnswered(z, StatusCodes.Status304NotModified);
            return;
        }

        EncodedTile? tile;
        try
        {
            var read = tiles.GetTileAsync(id, context.RequestAborted);
            tile = read.IsCompletedSuccessfully ? read.Result : await read;
        }
        catch (TileArchiveChangedException e)
        {
            response.Headers.CacheControl = "no-store";
            context.Response.Headers.RetryAfter = "5";
            await TypedResults.Problem($"{e.Message}.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Tile archive changed at its source").ExecuteAsync(context);
            return;
        }
        catch (TileStorageException e)
        {
            response.Headers.CacheControl = "no-store";
            await TypedResults.Problem(e.Message, statusCode: StatusCodes.Status502BadGateway, title: "Tile storage failed").ExecuteAsync(context);
            return;
        }

        if (tile is null)
        {
            response.StatusCode = StatusCodes.Status204NoContent;
            metrics.TileAnswered(z, StatusCodes.Status204NoContent);
            return;
        }

        metrics.TileAnswered(z, StatusCodes.Status200OK);

        var bytes = gzip ? tile.Gzip : tile.Mvt;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = bytes.Length;
        // HEAD (every GET endpoint answers it, see AnswerHeadLikeGet): the headers only, without copying the bytes.
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>
    /// One URL per tile (issue 17, defect 11): <c>5/009/017.mvt</c>, <c>5/9/17.mvt/</c> and <c>%35/9/17.mvt</c> would
    /// each be a cache entry of the same tile. Coordinates without leading zeros, no trailing slash, no percent-encoding
    /// in the path as sent (<see cref="IHttpRequestFeature.RawTarget"/>). Reads strings the request already holds.
    /// </summary>
    private static bool IsCanonical(HttpContext context, RouteValueDictionary route)
    {
        static bool NoLeadingZero(object? value) => value is string { Length: > 0 } text && (text.Length == 1 || text[0] != '0');
        if (!NoLeadingZero(route["z"]) || !NoLeadingZero(route["x"]) || !NoLeadingZero(route["y"]))
        {
            return false;
        }

        var raw = (context.Features.Get<IHttpRequestFeature>()?.RawTarget).AsSpan();
        var query = raw.IndexOf('?');
        var path = query < 0 ? raw : raw[..query];
        return !path.EndsWith('/') && !path.Contains('%') && !context.Request.Path.Value.AsSpan().EndsWith('/');
    }

    private static ProblemHttpResult TilesOff() => Problems.NotFound("Tiles are off", "This server was started with Tiles:Enabled=false.");

    private static bool TryParse(object? value, out int result)
    {
        result = 0;
        return value is string text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>True when <c>Accept-Encoding</c> lists gzip (or <c>*</c>) without <c>q=0</c>.</summary>
    internal static bool AcceptsGzip(StringValues acceptEncoding)
    {
        foreach (var entry in new ListEntries(acceptEncoding))
        {
            var semicolon = entry.IndexOf(';');
            var coding = (semicolon < 0 ? entry : entry[..semicolon]).Trim();
            if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase) || coding.Equals("*", StringComparison.Ordinal))
            {
                return semicolon < 0 || !IsZeroQuality(entry[(semicolon + 1)..]);
            }
        }

        return false;
    }

    private static bool IsZeroQuality(ReadOnlySpan<char> parameters)
    {
        var p = parameters.Trim();
        if (!p.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return double.TryParse(p[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q == 0;
    }

    /// <summary>Weak comparison (RFC 9110 If-None-Match): <c>*</c> or any listed tag equal to ours, <c>W/</c> ignored.</summary>
    internal static bool Matches(StringValues ifNoneMatch, string etag)
    {
        foreach (var listed in new ListEntries(ifNoneMatch))
        {
            var entry = listed.StartsWith("W/", StringComparison.Ordinal) ? listed[2..] : listed;
            if (entry.SequenceEqual("*") || entry.SequenceEqual(etag))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The trimmed comma-separated entries of a list header (RFC 9110 section 5.6.1) over all its values, without
    /// allocating: the tile path reads <c>Accept-Encoding</c> and <c>If-None-Match</c> on every request, and the
    /// framework's typed header parsers allocate one object per entry.
    /// </summary>
    private ref struct ListEntries(StringValues values)
    {
        private int _value = -1;
        private ReadOnlySpan<char> _rest;

        public ReadOnlySpan<char> Current { get; private set; }

        public readonly ListEntries GetEnumerator() => this;

        public bool MoveNext()
        {
            while (_rest.IsEmpty)
            {
                if (++_value >= values.Count)
                {
                    return false;
                }

                _rest = values[_value].AsSpan();
            }

            var comma = _rest.IndexOf(',');
            Current = (comma < 0 ? _rest : _rest[..comma]).Trim();
            _rest = comma < 0 ? [] : _rest[(comma + 1)..];
            return true;
        }
    }
}

/// <summary>TileJSON 3.0.0 (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0).</summary>
public sealed record TileJsonDocument(
    [property: JsonPropertyName("tilejson")] string TileJson,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("attribution")] string Attribution,
    [property: JsonPropertyName("scheme")] string Scheme,
    [property: JsonPropertyName("tiles")] IReadOnlyList<string> Tiles,
    [property: JsonPropertyName("minzoom")] int MinZoom,
    [property: JsonPropertyName("maxzoom")] int MaxZoom,
    [property: JsonPropertyName("bounds")] IReadOnlyList<double> Bounds,
    [property: JsonPropertyName("center")] IReadOnlyList<double> Center,
    [property: JsonPropertyName("vector_layers")] IReadOnlyList<TileJsonLayer> VectorLayers);

public sealed record TileJsonLayer(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("minzoom")] int MinZoom,
    [property: JsonPropertyName("maxzoom")] int MaxZoom,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, string> Fields);
