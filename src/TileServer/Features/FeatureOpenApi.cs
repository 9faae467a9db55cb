using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using TileServer.Core.Dataset;
using TileServer.Core.Features;
using TileServer.Dataset;

namespace TileServer.Features;

/// <summary>
/// The OpenAPI 3.0 document at <c>/api</c> (Microsoft.AspNetCore.OpenApi, set to 3.0) and its interactive
/// documentation at <c>/api.html</c> (Scalar, its script served by the server: no CDN). The generated document is
/// completed by transformers: the query parameters the OGC endpoints parse themselves (<see cref="FeatureQuery"/>),
/// with <c>limit</c> in <c>components.parameters</c> carrying <c>default</c> and <c>maximum</c> (QGIS and GDAL 3.8+
/// size their pages from it); one path per collection (<c>/collections/districts/items</c>, ...) listing its
/// queryables as parameters (GDAL sends <c>-where</c> equalities through them); the parameters of the <c>/v1</c> and
/// tile endpoints that read their query by hand; and an RFC 7807 problem response on every operation.
/// </summary>
public static class FeatureOpenApi
{
    public const string DocumentName = "v1";

    public static IHostApplicationBuilder AddFeatureOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_0;
            options.AddDocumentTransformer((document, context, _) =>
            {
                var services = context.ApplicationServices;
                AddUndescribedEndpoints(document, services.GetServices<EndpointDataSource>());
                Complete(document, services.GetRequiredService<DatasetStore>().Current?.Snapshot, services.GetRequiredService<IOptions<FeaturesOptions>>().Value);
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary><c>GET /api</c> (the document, as <c>application/vnd.oai.openapi+json;version=3.0</c>) and <c>GET /api.html</c>.</summary>
    public static IEndpointRouteBuilder MapFeatureOpenApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api", ApiAsync).WithTags("API").WithName("getApi").WithSummary("This API's OpenAPI 3.0 definition");
        // Nothing of the page may leave the server (the map's rule): Scalar's fonts come from its CDN by default, and
        // its telemetry, AI agent and MCP links call out; the page falls back to the browser's fonts.
        app.MapScalarApiReference("/api.html", options => options.WithOpenApiRoutePattern("../api").WithTitle("TileServer API")
                .DisableDefaultFonts().DisableTelemetry().DisableAgent().DisableMcp())
            .WithTags("API");
        return app;
    }

    private static async Task<OgcResult> ApiAsync(HttpContext context, DatasetStore store)
    {
        var provider = context.RequestServices.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(context.RequestAborted);
        document.Servers = [new OpenApiServer { Url = new OgcLinks(context.Request).Base }];
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV3(new OpenApiJsonWriter(text));
        var bytes = System.Text.Encoding.UTF8.GetBytes(text.ToString());
        var version = store.Current?.Version ?? "loading";
        return new OgcResult(version, OgcFormats.OpenApi, async (pipe, token) => await pipe.WriteAsync(bytes, token));
    }

    /// <summary>
    /// Endpoints mapped as plain request delegates (the lookup and tile hot paths) carry no handler signature, so the
    /// generator skips them: they are added here from the routing table, with their route parameters and tags.
    /// </summary>
    private static void AddUndescribedEndpoints(OpenApiDocument document, IEnumerable<EndpointDataSource> sources)
    {
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            var pattern = endpoint.RoutePattern.RawText;
            if (methods is null || pattern is null || pattern.StartsWith("/api.html", StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + pattern.TrimStart('/');
            if (!document.Paths.TryGetValue(path, out var item))
            {
                item = new OpenApiPathItem();
                document.Paths[path] = item;
            }

            var pathItem = (OpenApiPathItem)item;
            pathItem.Operations ??= [];
            foreach (var method in methods.Where(m => m != HttpMethods.Head))
            {
                var httpMethod = new HttpMethod(method);
                if (pathItem.Operations.ContainsKey(httpMethod))
                {
                    continue;
                }

                var tags = endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().SelectMany(t => t.Tags).Distinct().ToList();
                pathItem.Operations[httpMethod] = new OpenApiOperation
                {
                    Summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary ?? endpoint.DisplayName,
                    Tags = tags.Count == 0 ? null : new HashSet<OpenApiTagReference>(tags.Select(t => new OpenApiTagReference(t, document))),
                    Parameters = [.. endpoint.RoutePattern.Parameters.Select(p => (IOpenApiParameter)PathParameter(p.Name, JsonSchemaType.String, p.Name))],
                    Responses = new OpenApiResponses { ["200"] = new OpenApiResponse { Description = "OK" } },
                };
            }
        }
    }

    private static void Complete(OpenApiDocument document, DatasetSnapshot? snapshot, FeaturesOptions options)
    {
        document.Info = new OpenApiInfo
        {
            Title = options.Title,
            Description = options.Description + " OGC API - Features Parts 1-3 at the root; the /v1 API and vector tiles beside it.",
            Version = snapshot?.Version ?? "loading",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Parameters ??= new Dictionary<string, IOpenApiParameter>();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Parameters["limit"] = new OpenApiParameter
        {
            Name = "limit",
            In = ParameterLocation.Query,
            Description = $"The page size: at most {options.MaxLimit} features (a larger value is capped to it, not refused).",
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Minimum = "1",
                Maximum = options.MaxLimit.ToString(CultureInfo.InvariantCulture),
                Default = JsonValue.Create(options.DefaultLimit),
            },
            Style = ParameterStyle.Form,
            Explode = false,
        };
        document.Components.Schemas["Problem"] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "RFC 7807 problem details: what is wrong and where.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            },
            Examples =
            [
                new JsonObject
                {
                ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                ["title"] = "Invalid parameter 'filter'",
                ["status"] = 400,
                    ["detail"] = "Invalid filter: unknown property 'pobresa_pct'; the queryables of districts are code, name, ... (at character 1).",
                },
            ],
        };

        foreach (var (path, item) in document.Paths)
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                AddParameters(document, path, method, operation);
                AddProblems(document, operation, path);
            }
        }

        if (snapshot is not null && document.Paths.TryGetValue("/collections/{collectionId}/items", out var generic)
            && generic.Operations?.GetValueOrDefault(HttpMethod.Get) is OpenApiOperation items)
        {
            foreach (var set in snapshot.Features.Collections)
            {
                var operation = new OpenApiOperation
                {
                    OperationId = "getFeatures_" + set.Id,
                    Summary = $"The {set.Id}: GeoJSON, HTML, CSV, GeoPackage or zipped Shapefile",
                    Tags = items.Tags,
                    Parameters = [.. items.Parameters!.Where(p => p.Name != "collectionId"), .. QueryableParameters(set)],
                    Responses = items.Responses,
                };
                document.Paths[$"/collections/{set.Id}/items"] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
            }
        }
    }

    private static IEnumerable<IOpenApiParameter> QueryableParameters(FeatureSet set) =>
        FeatureQuery.QueryableParameters(set).Select(name =>
        {
            var property = set.Properties[set.PropertyIndex(name)];
            return (IOpenApiParameter)new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = $"{property.Title}: features whose {name} equals this value.",
                Schema = new OpenApiSchema
                {
                    Type = property.Type switch
                    {
                        FeaturePropertyType.Number => JsonSchemaType.Number,
                        FeaturePropertyType.Integer => JsonSchemaType.Integer,
                        FeaturePropertyType.Boolean => JsonSchemaType.Boolean,
                        _ => JsonSchemaType.String,
                    },
                },
                Style = ParameterStyle.Form,
                Explode = false,
            };
        });

    private static void AddParameters(OpenApiDocument document, string path, HttpMethod method, OpenApiOperation operation)
    {
        var get = method == HttpMethod.Get;
        if (path == "/v1/lookup" && !get && operation.RequestBody is null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = "Points to look up: JSON {\"points\": [[lon, lat], ...]} or CSV with lat and lon columns; answers in input order.",
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Example = new JsonObject { ["points"] = new JsonArray(new JsonArray(-77.0428, -12.0464)) } },
                    ["text/csv"] = new() { Example = JsonValue.Create("lat,lon\n-12.0464,-77.0428\n") },
                },
            };
        }

        var added = path switch
        {
            "/collections/{collectionId}/items" =>
            [
                new OpenApiParameterReference("limit", document),
                Query("offset", JsonSchemaType.Integer, "Skip this many matching features (the next links page with it)."),
                Query("bbox", JsonSchemaType.Array, "minx,miny,maxx,maxy (or 6 numbers) in bbox-crs (default CRS84): features intersecting the box.", JsonSchemaType.Number),
                Query("bbox-crs", JsonSchemaType.String, "The CRS of bbox, as a URI.", enumeration: FeatureCrs.Supported.Select(c => c.Uri)),
                Query("crs", JsonSchemaType.String, "Output CRS, as a URI (default CRS84).", enumeration: FeatureCrs.Supported.Select(c => c.Uri)),
                Query("datetime", JsonSchemaType.String, "Accepted and ignored: the estimates carry no time."),
                Query("filter", JsonSchemaType.String, "A CQL2 filter (text or JSON, see filter-lang), e.g. pobreza_pct > 50 AND department = '15'."),
                Query("filter-lang", JsonSchemaType.String, "cql2-text (default) or cql2-json.", enumeration: ["cql2-text", "cql2-json"]),
                Query("filter-crs", JsonSchemaType.String, "The CRS of the filter's geometry literals (default CRS84).", enumeration: FeatureCrs.Supported.Select(c => c.Uri)),
                Query("sortby", JsonSchemaType.String, "Comma-separated properties, '-' for descending: -pobreza_pct,name. Default: by code."),
                Query("properties", JsonSchemaType.String, "Comma-separated properties to return."),
                Query("skipGeometry", JsonSchemaType.Boolean, "true: features without geometry."),
                Query("geometry", JsonSchemaType.String, "cleaned (default), source (as published) or wkt (CSV: a WKT column).", enumeration: ["cleaned", "source", "wkt"]),
                Query("f", JsonSchemaType.String, "Format: json (GeoJSON, default), html, csv, gpkg (GeoPackage of every match), shp (zipped Shapefile of every match).", enumeration: ["json", "html", "csv", "gpkg", "shp"]),
            ],
            "/collections/{collectionId}/items/{featureId}" =>
            [
                Query("crs", JsonSchemaType.String, "Output CRS, as a URI (default CRS84).", enumeration: FeatureCrs.Supported.Select(c => c.Uri)),
                Query("properties", JsonSchemaType.String, "Comma-separated properties to return."),
                Query("skipGeometry", JsonSchemaType.Boolean, "true: the feature without geometry."),
                Query("geometry", JsonSchemaType.String, "cleaned (default) or source.", enumeration: ["cleaned", "source"]),
                Query("f", JsonSchemaType.String, "json (GeoJSON, default) or html.", enumeration: ["json", "html"]),
            ],
            "/" or "/conformance" or "/collections" or "/collections/{collectionId}" or "/collections/{collectionId}/queryables" or "/collections/{collectionId}/schema" =>
            [Query("f", JsonSchemaType.String, "json (default) or html.", enumeration: ["json", "html"])],
            "/v1/lookup" when get =>
            [
                Query("lat", JsonSchemaType.Number, "Latitude, WGS 84 degrees.", required: true),
                Query("lon", JsonSchemaType.Number, "Longitude, WGS 84 degrees.", required: true),
            ],
            "/v1/aggregate" when get =>
            [
                Query("bbox", JsonSchemaType.String, "minLon,minLat,maxLon,maxLat: aggregate over this box."),
                Query("lat", JsonSchemaType.Number, "Circle centre latitude (with lon and radiusKm)."),
                Query("lon", JsonSchemaType.Number, "Circle centre longitude."),
                Query("radiusKm", JsonSchemaType.Number, "Circle radius in km (geodesic)."),
            ],
            _ => (IOpenApiParameter[])[],
        };
        if (added.Length == 0)
        {
            return;
        }

        operation.Parameters ??= [];
        foreach (var parameter in added)
        {
            if (!operation.Parameters.Any(p => p.Name == parameter.Name && p.In == parameter.In))
            {
                operation.Parameters.Add(parameter);
            }
        }
    }

    private static void AddProblems(OpenApiDocument document, OpenApiOperation operation, string path)
    {
        operation.Responses ??= [];
        var problem = new OpenApiMediaType { Schema = new OpenApiSchemaReference("Problem", document) };
        foreach (var (status, description) in new[] { ("400", "Invalid parameters: the problem names which and why."), ("404", "Unknown collection, feature or unit."), ("503", "The dataset is still loading (Retry-After).") })
        {
            if ((status == "404" && !path.Contains('{', StringComparison.Ordinal)) || operation.Responses.ContainsKey(status))
            {
                continue;
            }

            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = problem },
            };
        }
    }

    private static OpenApiParameter Query(string name, JsonSchemaType type, string description, JsonSchemaType? items = null, IEnumerable<string>? enumeration = null, bool required = false) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Required = required,
        Style = ParameterStyle.Form,
        Explode = false,
        Schema = new OpenApiSchema
        {
            Type = type,
            Items = items is null ? null : new OpenApiSchema { Type = items },
            Enum = enumeration?.Select(v => (JsonNode)JsonValue.Create(v)!).ToList(),
        },
    };

    private static OpenApiParameter PathParameter(string name, JsonSchemaType type, string description) => new()
    {
        Name = name,
        In = ParameterLocation.Path,
        Required = true,
        Description = description,
        Schema = new OpenApiSchema { Type = type },
    };
}
