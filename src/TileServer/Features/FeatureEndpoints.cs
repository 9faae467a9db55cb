using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using TileServer.Core.Dataset;
using TileServer.Core.Features;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Map;
using TileServer.Operations;

namespace TileServer.Features;

/// <summary>
/// OGC API - Features (Parts 1, 2 and 3, CQL2) at the server root: the landing page, conformance, the three
/// collections, their items (GeoJSON, HTML, CSV, GeoPackage, zipped Shapefile), one item, queryables and schema.
/// Everything is read from the snapshot's <see cref="FeatureCatalog"/>; every answer is an <see cref="OgcResult"/>
/// (ETag, 304, compression).
/// </summary>
public static class FeatureEndpoints
{
    /// <summary>The conformance classes declared: each has tests that exercise it.</summary>
    public static readonly IReadOnlyList<string> ConformanceClasses =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
        "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/accent-insensitive-comparison",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    ];

    private static readonly OgcFormat[] JsonOrHtml = [OgcFormat.Json, OgcFormat.Html];
    private static readonly OgcFormat[] ItemFormats = [OgcFormat.Json, OgcFormat.Html, OgcFormat.Csv, OgcFormat.GeoPackage, OgcFormat.Shapefile];

    /// <summary>Maps the OGC API routes at the root of <paramref name="app"/> (a group that requires a loaded dataset: see Program.cs).</summary>
    public static IEndpointRouteBuilder MapFeatures(this IEndpointRouteBuilder app)
    {
        var root = app.MapGroup("").WithTags("OGC API - Features");
        root.MapGet("/", Landing).WithName("landingPage").WithSummary("Landing page: title, description and links (JSON; HTML for browsers)");
        root.MapGet("/conformance", Conformance).WithName("getConformanceDeclaration").WithSummary("The conformance classes this server implements");
        root.MapGet("/collections", Collections).WithName("getCollections").WithSummary("The feature collections: departments, provinces, districts");
        root.MapGet("/collections/{collectionId}", Collection).WithName("describeCollection").WithSummary("One collection's metadata");
        root.MapGet("/collections/{collectionId}/items", Items).WithName("getFeatures")
            .WithSummary("The collection's features: GeoJSON, HTML, CSV, GeoPackage or zipped Shapefile, filtered, sorted and paged")
            .WithMetadata(new ItemsParameters())
            .LimitedAsDownload();
        root.MapMethods("/collections/{collectionId}/items", [HttpMethods.Options], ItemsOptions).WithName("optionsFeatures")
            .WithSummary("The methods the items resource allows (Allow: GET, HEAD)");
        root.MapGet("/collections/{collectionId}/items/{featureId}", Item).WithName("getFeature").WithSummary("One feature, by its code")
            .WithMetadata(new ItemParameters());
        root.MapGet("/collections/{collectionId}/queryables", Queryables).WithName("getQueryables").WithSummary("The properties filters may use (JSON Schema)");
        root.MapGet("/collections/{collectionId}/schema", Schema).WithName("getSchema").WithSummary("The schema of the features (JSON Schema)");
        return app;
    }

    /// <summary>True when an items request asks for a layer download (GeoPackage, Shapefile, CSV): those take the <c>downloads</c> permits.</summary>
    internal static bool IsDownload(HttpRequest request) =>
        OgcFormats.Negotiate(request, ItemFormats, out _) is OgcFormat.GeoPackage or OgcFormat.Shapefile or OgcFormat.Csv;

    /// <summary>JSON for API clients; for a browser or <c>f=html</c>, the web map, whose header carries these title, description and links.</summary>
    private static Results<OgcResult, ContentHttpResult, ProblemHttpResult> Landing(HttpContext context, ServedDataset dataset, MapPage page)
    {
        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var snapshot = dataset.Snapshot;
        var links = new OgcLinks(context.Request);
        var landing = FeatureDocuments.LandingLinks(links, snapshot.Features);
        var title = dataset.FeaturesOptions.Title;
        var description = dataset.FeaturesOptions.Description;
        if (format == OgcFormat.Html)
        {
            return page.Render(context.Request, title, description, landing);
        }

        return Json(dataset, OgcFormats.Json, json =>
        {
            json.WriteString("title", title);
            json.WriteString("description", description);
            GeoJsonFeatureWriter.WriteLinks(json, landing);
        });
    }

    private static Results<OgcResult, ProblemHttpResult> Conformance(HttpContext context, ServedDataset dataset)
    {
        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var snapshot = dataset.Snapshot;
        var links = new OgcLinks(context.Request);
        if (format == OgcFormat.Html)
        {
            return Html(dataset, FeatureHtml.Page("Conformance", "The conformance classes this server implements.",
                [new(links.Url("/"), "up", OgcFormats.Html, dataset.FeaturesOptions.Title)], FeatureHtml.List(ConformanceClasses)));
        }

        return Json(dataset, OgcFormats.Json, json =>
        {
            json.WriteStartArray("conformsTo");
            foreach (var uri in ConformanceClasses)
            {
                json.WriteStringValue(uri);
            }

            json.WriteEndArray();
        });
    }

    private static Results<OgcResult, ProblemHttpResult> Collections(HttpContext context, ServedDataset dataset)
    {
        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var snapshot = dataset.Snapshot;
        var links = new OgcLinks(context.Request);
        var own = new List<FeatureLink>
        {
            new(links.Url("/collections"), "self", format == OgcFormat.Html ? OgcFormats.Html : OgcFormats.Json, "The collections"),
            new(links.Url(format == OgcFormat.Html ? "/collections" : "/collections?f=html"), "alternate", format == OgcFormat.Html ? OgcFormats.Json : OgcFormats.Html, "The collections as " + (format == OgcFormat.Html ? "JSON" : "HTML")),
        };
        if (format == OgcFormat.Html)
        {
            return Html(dataset, FeatureHtml.Page("Collections", dataset.FeaturesOptions.Title, own,
                FeatureHtml.Collections(snapshot.Features.Collections, links)));
        }

        return Json(dataset, OgcFormats.Json, json =>
        {
            GeoJsonFeatureWriter.WriteLinks(json, own);
            json.WriteStartArray("collections");
            foreach (var set in snapshot.Features.Collections)
            {
                FeatureDocuments.WriteCollection(json, set, links);
            }

            json.WriteEndArray();
        });
    }

    private static Results<OgcResult, ProblemHttpResult> Collection(string collectionId, HttpContext context, ServedDataset dataset)
    {
        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var snapshot = dataset.Snapshot;
        if (snapshot.Features.Find(collectionId) is not { } set)
        {
            return UnknownCollection(snapshot, collectionId);
        }

        var links = new OgcLinks(context.Request);
        if (format == OgcFormat.Html)
        {
            return Html(dataset, FeatureHtml.Page(set.Title, set.Description, FeatureDocuments.CollectionLinks(set, links),
                FeatureHtml.Properties(set)));
        }

        return Json(dataset, OgcFormats.Json, json => FeatureDocuments.WriteCollectionMembers(json, set, links));
    }

    private static Results<OgcResult, ProblemHttpResult> Items(string collectionId, HttpContext context, ServedDataset dataset)
    {
        var snapshot = dataset.Snapshot;
        if (snapshot.Features.Find(collectionId) is not { } set)
        {
            return UnknownCollection(snapshot, collectionId);
        }

        if (OgcFormats.Negotiate(context.Request, ItemFormats, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        FeatureQuery query;
        try
        {
            query = FeatureQuery.Parse(set, Parameters(context.Request), dataset.FeaturesOptions.Limits());
        }
        catch (FeatureQueryException e)
        {
            return Problems.BadRequest($"Invalid parameter '{e.Parameter}'", e.Message);
        }

        if (query.GeometryWkt && format != OgcFormat.Csv)
        {
            return Problems.BadRequest("Invalid parameter 'geometry'", "'geometry=wkt' applies to f=csv only.");
        }

        var matches = query.Matches();
        var links = new OgcLinks(context.Request);
        var crs = query.Crs.Uri;
        switch (format)
        {
            case OgcFormat.GeoPackage:
                return new OgcResult(dataset.Version, OgcFormats.GeoPackage, (pipe, token) => WriteGeoPackageAsync(pipe, query, matches, token))
                { ContentCrs = crs, FileName = set.Id + ".gpkg", Items = new(set.Id, "gpkg", matches.Length) };
            case OgcFormat.Shapefile:
                return new OgcResult(dataset.Version, OgcFormats.Zip, (pipe, token) => WriteShapefileAsync(pipe, query, matches, token))
                { ContentCrs = crs, FileName = set.Id + ".zip", Items = new(set.Id, "shp", matches.Length) };
        }

        var page = Page(matches, query);
        var pageLinks = FeatureDocuments.ItemsLinks(set, query, links, format, matches.Length, page.Count);
        return format switch
        {
            OgcFormat.Csv => new OgcResult(dataset.Version, OgcFormats.Csv + "; charset=utf-8",
                (pipe, token) => CsvFeatureWriter.WriteAsync(pipe, query, page, query.GeometryWkt, token))
            { ContentCrs = crs, FileName = set.Id + ".csv", Items = new(set.Id, "csv", page.Count) },
            OgcFormat.Html => Html(dataset, FeatureHtml.Items(set, query, page, matches.Length, pageLinks), new(set.Id, "html", page.Count)),
            _ => new OgcResult(dataset.Version, OgcFormats.GeoJson,
                (pipe, token) => GeoJsonFeatureWriter.WriteCollectionAsync(pipe, query, page, matches.Length, pageLinks, snapshot.LoadedAt, token))
            { ContentCrs = crs, Items = new(set.Id, "json", page.Count) },
        };
    }

    private static Results<Ok, ProblemHttpResult> ItemsOptions(string collectionId, HttpContext context, ServedDataset dataset)
    {
        if (dataset.Snapshot.Features.Find(collectionId) is null)
        {
            return UnknownCollection(dataset.Snapshot, collectionId);
        }

        context.Response.Headers.Allow = "GET, HEAD";
        return TypedResults.Ok();
    }

    private static Results<OgcResult, ProblemHttpResult> Item(string collectionId, string featureId, HttpContext context, ServedDataset dataset)
    {
        var snapshot = dataset.Snapshot;
        if (snapshot.Features.Find(collectionId) is not { } set)
        {
            return UnknownCollection(snapshot, collectionId);
        }

        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var feature = set.IndexOf(featureId);
        if (feature < 0)
        {
            return Problems.NotFound("Unknown feature", $"The collection '{set.Id}' has no feature '{featureId}'.");
        }

        FeatureQuery query;
        try
        {
            query = FeatureQuery.ParseOutput(set, Parameters(context.Request));
        }
        catch (FeatureQueryException e)
        {
            return Problems.BadRequest($"Invalid parameter '{e.Parameter}'", e.Message);
        }

        var links = new OgcLinks(context.Request);
        var path = $"/collections/{set.Id}/items/{Uri.EscapeDataString(set.Code(feature))}";
        IReadOnlyList<FeatureLink> featureLinks =
        [
            new(links.WithQuery(path), "self", format == OgcFormat.Html ? OgcFormats.Html : OgcFormats.GeoJson, "This feature"),
            new(links.WithQuery(path, ("f", format == OgcFormat.Html ? "json" : "html")), "alternate", format == OgcFormat.Html ? OgcFormats.GeoJson : OgcFormats.Html, "This feature as " + (format == OgcFormat.Html ? "GeoJSON" : "HTML")),
            new(links.Url($"/collections/{set.Id}"), "collection", OgcFormats.Json, set.Title),
        ];
        if (format == OgcFormat.Html)
        {
            return Html(dataset, FeatureHtml.Items(set, query, new ArraySegment<int>([feature]), 1, featureLinks));
        }

        return new OgcResult(dataset.Version, OgcFormats.GeoJson,
            (pipe, token) => GeoJsonFeatureWriter.WriteFeatureAsync(pipe, query, feature, featureLinks, token)) { ContentCrs = query.Crs.Uri };
    }

    private static Results<OgcResult, ProblemHttpResult> Queryables(string collectionId, HttpContext context, ServedDataset dataset) =>
        SchemaDocument(collectionId, context, dataset, queryables: true);

    private static Results<OgcResult, ProblemHttpResult> Schema(string collectionId, HttpContext context, ServedDataset dataset) =>
        SchemaDocument(collectionId, context, dataset, queryables: false);

    private static Results<OgcResult, ProblemHttpResult> SchemaDocument(string collectionId, HttpContext context, ServedDataset dataset, bool queryables)
    {
        var snapshot = dataset.Snapshot;
        if (snapshot.Features.Find(collectionId) is not { } set)
        {
            return UnknownCollection(snapshot, collectionId);
        }

        if (OgcFormats.Negotiate(context.Request, JsonOrHtml, out var error) is not { } format)
        {
            return Problems.BadRequest("Invalid parameter 'f'", error!);
        }

        var links = new OgcLinks(context.Request);
        var name = queryables ? "queryables" : "schema";
        if (format == OgcFormat.Html)
        {
            return Html(dataset, FeatureHtml.Page($"{set.Title}: {name}", set.Description,
                [new(links.Url($"/collections/{set.Id}/{name}"), "alternate", OgcFormats.SchemaJson, "JSON Schema")], FeatureHtml.Properties(set)));
        }

        var id = links.Url($"/collections/{set.Id}/{name}");
        return new OgcResult(dataset.Version, OgcFormats.SchemaJson, (pipe, token) => WriteJsonAsync(pipe, token, json => FeatureSchema.Write(json, set, id, queryables)));
    }

    private static ArraySegment<int> Page(int[] matches, FeatureQuery query)
    {
        var offset = Math.Min(query.Offset, matches.Length);
        return new ArraySegment<int>(matches, offset, Math.Min(query.Limit, matches.Length - offset));
    }

    private static IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> Parameters(HttpRequest request) =>
        request.Query.Select(q => new KeyValuePair<string, IReadOnlyList<string>>(q.Key, [.. q.Value.Select(v => v ?? "")]));

    private static ProblemHttpResult UnknownCollection(DatasetSnapshot snapshot, string collectionId) =>
        Problems.NotFound("Unknown collection", $"No collection '{collectionId}'; the collections are {string.Join(", ", snapshot.Features.Collections.Select(c => c.Id))}.");

    private static OgcResult Json(ServedDataset dataset, string contentType, Action<Utf8JsonWriter> members) =>
        new(dataset.Version, contentType, (pipe, token) => WriteJsonAsync(pipe, token, json =>
        {
            json.WriteStartObject();
            members(json);
            json.WriteEndObject();
        }));

    private static OgcResult Html(ServedDataset dataset, string html, ItemsWritten? items = null) =>
        new(dataset.Version, OgcFormats.Html + "; charset=utf-8", async (pipe, token) =>
        {
            await pipe.WriteAsync(System.Text.Encoding.UTF8.GetBytes(html), token);
        })
        { Items = items };

    private static async Task WriteJsonAsync(PipeWriter pipe, CancellationToken token, Action<Utf8JsonWriter> write)
    {
        await using (var json = new Utf8JsonWriter(pipe, GeoJsonGeometry.WriterOptions))
        {
            write(json);
        }

        await pipe.FlushAsync(token);
    }

    /// <summary>The GeoPackage is written to a temporary file (SQLite needs one), then streamed and deleted.</summary>
    private static async Task WriteGeoPackageAsync(PipeWriter pipe, FeatureQuery query, int[] matches, CancellationToken token)
    {
        var path = Path.Combine(Path.GetTempPath(), $"tileserver-{Guid.NewGuid():N}.gpkg");
        try
        {
            GeoPackageFeatureWriter.Write(path, query, matches);
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await file.CopyToAsync(pipe, token);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task WriteShapefileAsync(PipeWriter pipe, FeatureQuery query, int[] matches, CancellationToken token)
    {
        using var zip = new MemoryStream();
        ShapefileFeatureWriter.Write(zip, query, matches);
        zip.Position = 0;
        await zip.CopyToAsync(pipe, token);
    }
}

/// <summary>Marks the items endpoint, whose query parameters <see cref="FeatureOpenApi"/> documents (they are parsed by <see cref="FeatureQuery"/>, not bound).</summary>
internal sealed class ItemsParameters;

/// <summary>Marks the single-feature endpoint for <see cref="FeatureOpenApi"/>.</summary>
internal sealed class ItemParameters;
