using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Dataset;
using TileServer.Core.Index;
using TileServer.Infrastructure;

namespace TileServer.Lookup;

public static class LookupEndpoints
{
    private const int FlushThreshold = 64 * 1024;

    /// <summary>Binds and validates <see cref="LookupOptions"/> (section <c>Lookup</c>).</summary>
    public static IHostApplicationBuilder AddLookup(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LookupOptions>()
            .Bind(builder.Configuration.GetSection(LookupOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LookupOptions>, LookupOptionsValidator>();
        builder.Services.AddHostedService<LookupWarmUpService>();
        return builder;
    }

    /// <summary>
    /// <c>GET /v1/lookup?lat=..&amp;lon=..</c>: the district of a point (<see cref="DistrictLocator"/>);
    /// <c>POST /v1/lookup</c>: a batch, JSON or CSV. Both are plain request delegates that write precomputed bytes
    /// (<see cref="LookupPayloads"/>), with no serializer and no endpoint filter on the way.
    /// </summary>
    public static IEndpointRouteBuilder MapLookup(this IEndpointRouteBuilder app)
    {
        // Resolved once here rather than per request: both are singletons (options are validated at start).
        var store = app.ServiceProvider.GetRequiredService<DatasetStore>();
        var options = app.ServiceProvider.GetRequiredService<IOptions<LookupOptions>>();
        app.MapGet("/v1/lookup", (RequestDelegate)(context => GetAsync(context, store, options.Value))).WithTags("Lookup")
            .WithSummary("The district containing a GPS point (lat, lon), with its province, department, estimates and match");
        app.MapPost("/v1/lookup", (RequestDelegate)(context => PostAsync(context, store, options.Value))).WithTags("Lookup")
            .WithSummary("A batch of points (JSON or CSV): each point's district, in input order");
        return app;
    }

    private static async Task GetAsync(HttpContext context, DatasetStore store, LookupOptions options)
    {
        if (store.Current is not { } snapshot)
        {
            await Problems.NotReady(context).ExecuteAsync(context);
            return;
        }

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

        var match = snapshot.Locator.Locate(lon, lat, options.MaxSnapMeters);
        if (!match.Found)
        {
            await Problems.NotFound(
                "No district here",
                string.Create(CultureInfo.InvariantCulture, $"No district contains (lat {lat}, lon {lon}) or lies within {options.MaxSnapMeters} m of it.")).ExecuteAsync(context);
            return;
        }

        var prefix = LookupPayloads.For(snapshot).Json[match.District];
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

    private static async Task PostAsync(HttpContext context, DatasetStore store, LookupOptions options)
    {
        if (store.Current is not { } snapshot)
        {
            await Problems.NotReady(context).ExecuteAsync(context);
            return;
        }

        var csv = false;
        if (context.Request.ContentType is { } contentType)
        {
            if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
            {
                await UnsupportedMediaType(contentType).ExecuteAsync(context);
                return;
            }

            csv = media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase);
            var json = media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase);
            if (!csv && !json)
            {
                await UnsupportedMediaType(contentType).ExecuteAsync(context);
                return;
            }
        }

        try
        {
            if (csv)
            {
                var batch = await CsvBatch.ReadAsync(context.Request.Body, options.MaxBatchPoints, context.RequestAborted);
                await WriteCsvAsync(context, snapshot, batch, options.MaxSnapMeters);
            }
            else
            {
                var points = await BatchJsonParser.ReadAsync(context.Request.BodyReader, options.MaxBatchPoints, context.RequestAborted);
                await WriteJsonAsync(context, snapshot, points, options.MaxSnapMeters);
            }
        }
        catch (BatchFormatException e)
        {
            await Problems.BadRequest("Invalid batch body", $"{e.Message}. Send {{\"points\": [[lon, lat], ...]}} as application/json, or text/csv with lat and lon columns.").ExecuteAsync(context);
        }
        catch (BatchTooLargeException e)
        {
            await TypedResults.Problem(
                $"A batch holds at most {e.Limit} points (Lookup:MaxBatchPoints); split the request.",
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Too many points").ExecuteAsync(context);
        }
    }

    private static IResult UnsupportedMediaType(string contentType) => TypedResults.Problem(
        $"POST /v1/lookup takes application/json or text/csv, got '{contentType}'.",
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported body type");

    /// <summary><c>{"results": [...]}</c> in input order: an answer, <c>null</c> (no district within the snap
    /// distance) or <c>{"index": i, "error": ".."}</c> for a bad row; an <c>id</c> given with a point is echoed.</summary>
    private static async Task WriteJsonAsync(HttpContext context, DatasetSnapshot snapshot, BatchPoints points, double maxSnapMeters)
    {
        var payloads = LookupPayloads.For(snapshot);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var writer = response.BodyWriter;
        Write(writer, "{\"results\":["u8);
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0)
            {
                Write(writer, ","u8);
            }

            var id = points.Ids[i];
            if (points.Errors[i] is { } error)
            {
                Write(writer, "{\"index\":"u8);
                WriteNumber(writer, i);
                if (id is not null)
                {
                    Write(writer, ",\"id\":"u8);
                    Write(writer, id);
                }

                Write(writer, ",\"error\":\""u8);
                Write(writer, JsonEncodedText.Encode(error, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes);
                Write(writer, "\"}"u8);
            }
            else
            {
                var match = snapshot.Locator.Locate(points.Lons[i], points.Lats[i], maxSnapMeters);
                if (!match.Found)
                {
                    Write(writer, "null"u8);
                }
                else if (id is null)
                {
                    payloads.WriteJson(writer, match);
                }
                else
                {
                    Write(writer, "{\"id\":"u8);
                    Write(writer, id);
                    Write(writer, ","u8);
                    var prefix = payloads.Json[match.District].AsSpan(1);
                    var span = writer.GetSpan(prefix.Length + 64);
                    prefix.CopyTo(span);
                    writer.Advance(prefix.Length + LookupPayloads.WriteMatchTail(span[prefix.Length..], match));
                }
            }

            if (writer.UnflushedBytes > FlushThreshold)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }

        Write(writer, "]}"u8);
        await writer.FlushAsync(context.RequestAborted);
    }

    /// <summary>Each input record with the district columns, match, distance and error appended.</summary>
    private static async Task WriteCsvAsync(HttpContext context, DatasetSnapshot snapshot, CsvBatch batch, double maxSnapMeters)
    {
        var payloads = LookupPayloads.For(snapshot);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/csv; charset=utf-8";
        var writer = response.BodyWriter;
        WriteText(writer, batch.Header);
        Write(writer, payloads.CsvHeader);
        Write(writer, "\r\n"u8);
        var points = batch.Points;
        for (var i = 0; i < points.Count; i++)
        {
            WriteText(writer, batch.Records[i]);
            if (points.Errors[i] is { } error)
            {
                Write(writer, payloads.CsvEmpty);
                Write(writer, ",,,"u8);
                WriteText(writer, LookupPayloads.CsvField(error));
            }
            else
            {
                var match = snapshot.Locator.Locate(points.Lons[i], points.Lats[i], maxSnapMeters);
                Write(writer, match.Found ? payloads.Csv[match.District] : payloads.CsvEmpty);
                Write(writer, ","u8);
                WriteText(writer, LookupPayloads.MatchName(match.Match));
                Write(writer, ","u8);
                var span = writer.GetSpan(32);
                Math.Round(match.DistanceMetres, 2).TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
                writer.Advance(written);
                Write(writer, ","u8);
            }

            Write(writer, "\r\n"u8);
            if (writer.UnflushedBytes > FlushThreshold)
            {
                await writer.FlushAsync(context.RequestAborted);
            }
        }

        await writer.FlushAsync(context.RequestAborted);
    }

    private static void WriteText(PipeWriter writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void Write(PipeWriter writer, ReadOnlySpan<byte> bytes) => writer.Write(bytes);

    private static void WriteNumber(PipeWriter writer, int value)
    {
        var span = writer.GetSpan(11);
        value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture);
        writer.Advance(written);
    }
}
