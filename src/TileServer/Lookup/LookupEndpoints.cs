using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Index;
using TileServer.Dataset;
using Microsoft.Extensions.Options;
using TileServer.Infrastructure;
using TileServer.Metrics;
using TileServer.Operations;
using TileServer.Core.Lookup;

namespace TileServer.Lookup;

public static class LookupEndpoints
{
    /// <summary>
    /// Mapped in the <c>/v1</c> group: <c>GET /v1/lookup?lat=..&amp;lon=..</c>, the district of a point
    /// (<see cref="DistrictLocator"/>), a plain request delegate that writes precomputed bytes
    /// (<see cref="LookupPayloads"/>) with no serializer on the way; <c>POST /v1/lookup</c>, a batch, JSON or CSV,
    /// streamed as it is computed (<see cref="LookupBatchResult"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapLookup(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Lookup");
        var metrics = api.ServiceProvider.GetRequiredService<ServerMetrics>();
        // The route's own body limit (Lookup:MaxBodyBytes, which the handler enforces with its own problem) in place of
        // Limits:MaxRequestBodyBytes, which would refuse any real batch.
        var maxBody = api.ServiceProvider.GetRequiredService<IOptions<LookupOptions>>().Value.MaxBodyBytes;
        group.MapGet("/lookup", (RequestDelegate)(context => GetAsync(context, metrics)))
            .WithSummary("The district containing a GPS point (lat, lon), with its province, department, estimates and match");
        group.MapPost("/lookup", PostAsync)
            .WithSummary("A batch of points (JSON or CSV): each point's district, in input order")
            .WithBodyLimit(maxBody)
            .LimitedAsCompute();
        return api;
    }

    private static async Task GetAsync(HttpContext context, ServerMetrics metrics)
    {
        var dataset = ServedDataset.From(context);
        var query = context.Request.Query;
        if (Coordinate(query, "lat", out var lat) is { } latProblem)
        {
            await latProblem.ExecuteAsync(context);
            return;
        }

        if (Coordinate(query, "lon", out var lon) is { } lonProblem)
        {
            await lonProblem.ExecuteAsync(context);
            return;
        }

        var maxSnapMetres = dataset.LookupOptions.MaxSnapMetres;
        var match = dataset.Snapshot.Locator.Locate(lon, lat, maxSnapMetres);
        metrics.PointLookedUp(match.Match);
        if (!match.Found)
        {
            await Problems.NotFound(
                "No district here",
                string.Create(CultureInfo.InvariantCulture, $"No district contains (lat {lat}, lon {lon}) or lies within {maxSnapMetres} m of it.")).ExecuteAsync(context);
            return;
        }

        var prefix = dataset.LookupPayloads.Json[match.District];
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var writer = response.BodyWriter;
        var span = writer.GetSpan(prefix.Length + 64);
        prefix.CopyTo(span);
        var length = prefix.Length + LookupPayloads.WriteMatchTail(span[prefix.Length..], match);
        response.ContentLength = length;
        writer.Advance(length);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Parses one coordinate query parameter; a problem naming it when missing or unusable (repeated ones never get here: <see cref="RequestRules.UseSingleValuedParameters"/>).</summary>
    private static IResult? Coordinate(IQueryCollection query, string name, out double value)
    {
        value = double.NaN;
        var values = query[name];
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return Problems.BadRequest($"Missing parameter '{name}'", $"'{name}' is required: GET /v1/lookup?lat=<-90..90>&lon=<-180..180>.");
        }

        if (!double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return Problems.BadRequest($"Invalid parameter '{name}'", $"'{name}' must be a number in degrees, got '{values[0]}'.");
        }

        return CoordinateRules.Check(name, value) is { } problem
            ? Problems.BadRequest($"Invalid parameter '{name}'", problem + (name == "lat" && Math.Abs(value) <= 180 ? " (are lat and lon swapped?)." : "."))
            : null;
    }

    /// <summary>
    /// A batch: <c>application/json</c> (or any <c>+json</c>) <c>{"points": [...]}</c>, or <c>text/csv</c> with lat
    /// and lon columns in the charset its <c>Content-Type</c> names (UTF-8 by default). Bounded by
    /// <c>Lookup:MaxBodyBytes</c> and <c>Lookup:MaxBatchPoints</c>; transport errors are problems
    /// (<see cref="RequestBody.Unreadable"/>).
    /// </summary>
    private static async Task<Results<LookupBatchResult, ProblemHttpResult>> PostAsync(HttpContext context, ServedDataset dataset)
    {
        Charset? csv = null;
        if (context.Request.ContentType is { } contentType)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            {
                return UnsupportedMediaType(contentType);
            }

            var charset = media.Charset.HasValue ? media.Charset.Value : null;
            var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
            if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase))
            {
                csv = Charset.Find(charset);
                if (csv is null)
                {
                    return UnsupportedCharset(contentType, "UTF-8 (the default) or a charset of one byte per character such as ISO-8859-1 or windows-1252");
                }
            }
            else if (!json)
            {
                return UnsupportedMediaType(contentType);
            }
            else if (charset is not null && Charset.Find(charset) != Charset.Utf8)
            {
                return UnsupportedCharset(contentType, "UTF-8, the charset of JSON (RFC 8259, section 8.1)");
            }
        }

        var options = dataset.LookupOptions;
        const string advice = "split the batch";
        if (RequestBody.Limit(context, options.MaxBodyBytes, "Lookup:MaxBodyBytes", advice) is { } tooLarge)
        {
            return tooLarge;
        }

        try
        {
            return csv is not null
                ? LookupBatchResult.Csv(dataset, await CsvBatch.ReadAsync(context.Request.BodyReader, csv, options.MaxBatchPoints, context.RequestAborted))
                : LookupBatchResult.Json(dataset, await BatchJsonParser.ReadAsync(context.Request.BodyReader, options.MaxBatchPoints, context.RequestAborted));
        }
        catch (BatchFormatException e)
        {
            return Problems.BadRequest("Invalid batch body", $"{e.Message}. Send {{\"points\": [[lon, lat], ...]}} as application/json, or text/csv with lat and lon columns.");
        }
        catch (BatchTooLargeException e)
        {
            context.Response.Headers.Connection = "close";
            return TypedResults.Problem(
                $"A batch holds at most {e.Limit} points (Lookup:MaxBatchPoints); split the request.",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Too many points",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "tooManyPoints", ["limit"] = "Lookup:MaxBatchPoints" });
        }
        catch (BadHttpRequestException e)
        {
            return RequestBody.Unreadable(context, e, options.MaxBodyBytes, "Lookup:MaxBodyBytes", advice);
        }
    }

    private static ProblemHttpResult UnsupportedCharset(string contentType, string supported) => TypedResults.Problem(
        $"POST /v1/lookup cannot read the charset of '{contentType}'; send {supported}.",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported charset");

    private static ProblemHttpResult UnsupportedMediaType(string contentType) => TypedResults.Problem(
        $"POST /v1/lookup takes application/json or text/csv, got '{contentType}'.",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported body type");
}
