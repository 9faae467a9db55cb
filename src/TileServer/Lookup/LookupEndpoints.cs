using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Index;
using TileServer.Dataset;
using TileServer.Infrastructure;

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
        group.MapGet("/lookup", (RequestDelegate)GetAsync)
            .WithSummary("The district containing a GPS point (lat, lon), with its province, department, estimates and match");
        group.MapPost("/lookup", PostAsync)
            .WithSummary("A batch of points (JSON or CSV): each point's district, in input order");
        return api;
    }

    private static async Task GetAsync(HttpContext context)
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

    /// <summary>Parses one coordinate query parameter; a problem naming it when missing, repeated or unusable.</summary>
    private static IResult? Coordinate(IQueryCollection query, string name, out double value)
    {
        value = double.NaN;
        var values = query[name];
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return Problems.BadRequest($"Missing parameter '{name}'", $"'{name}' is required: GET /v1/lookup?lat=<-90..90>&lon=<-180..180>.");
        }

        if (values.Count > 1)
        {
            return Problems.BadRequest($"Invalid parameter '{name}'", $"'{name}' is given {values.Count} times; give it once.");
        }

        if (!double.TryParse(values[0], NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            return Problems.BadRequest($"Invalid parameter '{name}'", $"'{name}' must be a number in degrees, got '{values[0]}'.");
        }

        return CoordinateRules.Check(name, value) is { } problem
            ? Problems.BadRequest($"Invalid parameter '{name}'", problem + (name == "lat" && Math.Abs(value) <= 180 ? " (are lat and lon swapped?)." : "."))
            : null;
    }

    /// <summary>A batch: <c>application/json</c> (or any <c>+json</c>) <c>{"points": [...]}</c>, or <c>text/csv</c> with lat and lon columns.</summary>
    private static async Task<Results<LookupBatchResult, ProblemHttpResult>> PostAsync(HttpContext context, ServedDataset dataset)
    {
        var csv = false;
        if (context.Request.ContentType is { } contentType)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            {
                return UnsupportedMediaType(contentType);
            }

            csv = media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase);
            var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
            if (!csv && !json)
            {
                return UnsupportedMediaType(contentType);
            }
        }

        var maxPoints = dataset.LookupOptions.MaxBatchPoints;
        try
        {
            return csv
                ? LookupBatchResult.Csv(dataset, await CsvBatch.ReadAsync(context.Request.Body, maxPoints, context.RequestAborted))
                : LookupBatchResult.Json(dataset, await BatchJsonParser.ReadAsync(context.Request.BodyReader, maxPoints, context.RequestAborted));
        }
        catch (BatchFormatException e)
        {
            return Problems.BadRequest("Invalid batch body", $"{e.Message}. Send {{\"points\": [[lon, lat], ...]}} as application/json, or text/csv with lat and lon columns.");
        }
        catch (BatchTooLargeException e)
        {
            return TypedResults.Problem(
                $"A batch holds at most {e.Limit} points (Lookup:MaxBatchPoints); split the request.",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Too many points");
        }
    }

    private static ProblemHttpResult UnsupportedMediaType(string contentType) => TypedResults.Problem(
        $"POST /v1/lookup takes application/json or text/csv, got '{contentType}'.",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported body type");
}
