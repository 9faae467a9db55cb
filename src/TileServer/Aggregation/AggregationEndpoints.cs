using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Metrics;
using TileServer.Operations;

namespace TileServer.Aggregation;

public static class AggregationEndpoints
{
    /// <summary>
    /// Mapped in the <c>/v1</c> group: <c>POST /v1/aggregate</c> (a GeoJSON Polygon, MultiPolygon, Feature or
    /// FeatureCollection body) and <c>GET /v1/aggregate?bbox=</c> or <c>?lat=&amp;lon=&amp;radiusKm=</c>:
    /// population-weighted estimates over the area, from the snapshot's <see cref="DistrictAggregator"/>.
    /// <c>?breakdown=true</c> lists each district's share.
    /// </summary>
    public static IEndpointRouteBuilder MapAggregation(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Aggregation");
        // The route's own body limit (Aggregation:MaxBodyBytes, which the handler enforces with its own problem) in
        // place of Limits:MaxRequestBodyBytes, which would refuse a department's polygon.
        var maxBody = api.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<AggregationOptions>>().Value.MaxBodyBytes;
        group.MapPost("/aggregate", PostAsync).WithBodyLimit(maxBody).LimitedAsCompute();
        group.MapGet("/aggregate", Get).LimitedAsCompute();
        return api;
    }

    private static async Task<Results<AggregateJsonResult, ProblemHttpResult>> PostAsync(
        HttpContext context, ServedDataset dataset, ServerMetrics metrics, string? breakdown)
    {
        if (!TryParseBreakdown(breakdown, out var withBreakdown, out var badBreakdown))
        {
            return badBreakdown;
        }

        var limits = dataset.AggregationOptions;
        var (buffer, length, tooLarge) = await RequestBody.ReadAsync(context, limits.MaxBodyBytes, "Aggregation:MaxBodyBytes", "simplify the geometry or split the request");
        if (tooLarge is not null)
        {
            return tooLarge;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            GeoJsonQuery query;
            try
            {
                query = GeoJsonQueryReader.Read(buffer.AsSpan(0, length), limits.ReadLimits());
            }
            catch (InvalidQueryException e)
            {
                return Problem(e, e.Message);
            }

            var parsed = Stopwatch.GetTimestamp();
            var aggregator = dataset.Snapshot.Aggregator;
            var engineLimits = limits.EngineLimits();
            var budget = AggregationBudget.For(engineLimits, context.RequestAborted);
            var results = new AggregatedArea[query.Features.Count];
            for (var i = 0; i < query.Features.Count; i++)
            {
                var feature = query.Features[i];
                try
                {
                    results[i] = new AggregatedArea(aggregator.Aggregate(feature.Geometry, withBreakdown, engineLimits, budget), feature.Id, feature.Properties);
                }
                catch (InvalidQueryException e)
                {
                    return Problem(e, query.IsCollection ? $"features[{i}]: {e.Message}" : e.Message);
                }
                catch (TopologyException e)
                {
                    return Problems.Unprocessable("Geometry could not be intersected",
                        $"{(query.IsCollection ? $"features[{i}]: " : string.Empty)}the query could not be intersected with the districts ({e.Message}); check the polygon for near-coincident edges.");
                }
            }

            ServerTiming(context, started, parsed);
            metrics.Aggregated("polygon", Stopwatch.GetElapsedTime(parsed));
            return new AggregateJsonResult(results, query.IsCollection);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static Results<AggregateJsonResult, ProblemHttpResult> Get(
        HttpContext context, ServedDataset dataset, ServerMetrics metrics,
        string? bbox, string? lat, string? lon, string? radiusKm, string? breakdown)
    {
        if (!TryParseBreakdown(breakdown, out var withBreakdown, out var badBreakdown))
        {
            return badBreakdown;
        }

        var circle = lat is not null || lon is not null || radiusKm is not null;
        if (bbox is not null && circle)
        {
            return Problems.BadRequest("Conflicting parameters", "Give either bbox or lat, lon and radiusKm, not both.");
        }

        if (bbox is null && !circle)
        {
            return Problems.BadRequest("Missing parameters",
                "Give bbox=minLon,minLat,maxLon,maxLat or lat=..&lon=..&radiusKm=..; POST a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection for any other area.");
        }

        var aggregator = dataset.Snapshot.Aggregator;
        var engineLimits = dataset.AggregationOptions.EngineLimits();
        var budget = AggregationBudget.For(engineLimits, context.RequestAborted);
        var started = Stopwatch.GetTimestamp();
        try
        {
            AggregationResult result;
            if (bbox is not null)
            {
                var parts = bbox.Split(',');
                var bounds = new double[4];
                if (parts.Length != 4 || !parts.Select((p, i) => TryParseNumber(p, out bounds[i])).All(ok => ok))
                {
                    return Problems.BadRequest("Invalid parameter 'bbox'", $"bbox must be four numbers minLon,minLat,maxLon,maxLat; got '{bbox}'.");
                }

                result = aggregator.AggregateBox(bounds[0], bounds[1], bounds[2], bounds[3], withBreakdown, budget);
            }
            else
            {
                var missing = new[] { ("lat", lat), ("lon", lon), ("radiusKm", radiusKm) }.Where(p => p.Item2 is null).Select(p => p.Item1).ToList();
                if (missing.Count > 0)
                {
                    return Problems.BadRequest("Missing parameters", $"A circle needs lat, lon and radiusKm; missing: {string.Join(", ", missing)}.");
                }

                if (!TryParseNumber(lat!, out var latitude) || !TryParseNumber(lon!, out var longitude) || !TryParseNumber(radiusKm!, out var radius))
                {
                    var bad = new[] { ("lat", lat!), ("lon", lon!), ("radiusKm", radiusKm!) }.First(p => !TryParseNumber(p.Item2, out _));
                    return Problems.BadRequest($"Invalid parameter '{bad.Item1}'", $"{bad.Item1} must be a number; got '{bad.Item2}'.");
                }

                result = aggregator.AggregateCircle(longitude, latitude, radius, withBreakdown, engineLimits, budget);
            }

            ServerTiming(context, started, null);
            metrics.Aggregated(bbox is not null ? "box" : "circle", Stopwatch.GetElapsedTime(started));
            return new AggregateJsonResult([new AggregatedArea(result, null, null)], collection: false);
        }
        catch (InvalidQueryException e)
        {
            return Problem(e, e.Message);
        }
    }

    /// <summary>
    /// The problem for a query the engine refused: 413 for the size limits, 422 <c>tooComplex</c> for the work limits,
    /// 400 otherwise; <c>problem</c> names the kind (camelCase <see cref="QueryProblem"/>) and, for a limit,
    /// <c>limit</c> its configuration key.
    /// </summary>
    private static ProblemHttpResult Problem(InvalidQueryException e, string detail)
    {
        var problem = e.Problem;
        var (status, title) = problem switch
        {
            QueryProblem.NotGeoJson => (StatusCodes.Status400BadRequest, "Not GeoJSON"),
            QueryProblem.InvalidString => (StatusCodes.Status400BadRequest, "String not Unicode"),
            QueryProblem.TooDeep => (StatusCodes.Status400BadRequest, "JSON nested too deeply"),
            QueryProblem.TooManyFeatures => (StatusCodes.Status413PayloadTooLarge, "Too many features"),
            QueryProblem.TooManyVertices => (StatusCodes.Status413PayloadTooLarge, "Too many vertices"),
            QueryProblem.NotPolygonal => (StatusCodes.Status400BadRequest, "Wrong geometry type"),
            QueryProblem.Empty => (StatusCodes.Status400BadRequest, "Empty geometry"),
            QueryProblem.NonFiniteCoordinate or QueryProblem.CoordinateOutOfRange => (StatusCodes.Status400BadRequest, "Coordinate out of range"),
            QueryProblem.InvalidRing => (StatusCodes.Status400BadRequest, "Invalid ring"),
            QueryProblem.InvalidBox => (StatusCodes.Status400BadRequest, "Invalid bbox"),
            QueryProblem.InvalidRadius => (StatusCodes.Status400BadRequest, "Invalid radius"),
            QueryProblem.TooComplex => (StatusCodes.Status422UnprocessableEntity, "Query too complex"),
            QueryProblem.AroundPole => (StatusCodes.Status400BadRequest, "Ring round a pole"),
            _ => (StatusCodes.Status400BadRequest, "Invalid query"),
        };
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = JsonNamingPolicy.CamelCase.ConvertName(problem.ToString()) };
        if (e.Limit is { } limit)
        {
            extensions["limit"] = $"{AggregationOptions.SectionName}:{limit}";
            detail = $"{detail} (limit: {AggregationOptions.SectionName}:{limit})";
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);
    }

    private static bool TryParseBreakdown(string? value, out bool breakdown, out ProblemHttpResult problem)
    {
        problem = null!;
        breakdown = false;
        if (string.IsNullOrEmpty(value) || bool.TryParse(value, out breakdown))
        {
            return true;
        }

        problem = Problems.BadRequest("Invalid parameter 'breakdown'", $"breakdown must be true or false; got '{value}'.");
        return false;
    }

    private static bool TryParseNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>Engine time (and body parse time) as a <c>Server-Timing</c> header, in milliseconds.</summary>
    private static void ServerTiming(HttpContext context, long started, long? parsed)
    {
        var now = Stopwatch.GetTimestamp();
        var engine = Stopwatch.GetElapsedTime(parsed ?? started, now).TotalMilliseconds;
        context.Response.Headers["Server-Timing"] = parsed is { } p
            ? string.Create(CultureInfo.InvariantCulture, $"parse;dur={Stopwatch.GetElapsedTime(started, p).TotalMilliseconds:F3}, engine;dur={engine:F3}")
            : string.Create(CultureInfo.InvariantCulture, $"engine;dur={engine:F3}");
    }
}

/// <summary>One aggregated area and the Feature's <c>id</c> and <c>properties</c> to echo (null for a bare geometry).</summary>
internal readonly record struct AggregatedArea(AggregationResult Result, JsonElement? Id, JsonElement? Properties);

/// <summary>
/// Writes aggregates straight to the response with <see cref="Utf8JsonWriter"/> (no intermediate objects; property
/// names pre-encoded). The fields are a contract (README, "Aggregation"): <c>population</c>, <c>estimates</c>
/// {column: value}, <c>districts</c>, <c>areaKm2</c>, <c>coverage</c>, <c>breakdown</c> [{code, name, fraction,
/// population}] (only when asked for), plus <c>derivedCounts</c>, <c>populationWithoutEstimate</c>,
/// <c>districtsWithoutPopulation</c>, <c>queryAreaKm2</c> and <c>repair</c>; a FeatureCollection gets
/// <c>{"results": [...]}</c>, each result led by the feature's <c>id</c> and <c>properties</c> when it has them.
/// </summary>
internal sealed class AggregateJsonResult(IReadOnlyList<AggregatedArea> areas, bool collection) : IResult
{
    private static readonly JsonEncodedText Results = JsonEncodedText.Encode("results");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Properties = JsonEncodedText.Encode("properties");
    private static readonly JsonEncodedText Population = JsonEncodedText.Encode("population");
    private static readonly JsonEncodedText Estimates = JsonEncodedText.Encode("estimates");
    private static readonly JsonEncodedText DerivedCounts = JsonEncodedText.Encode("derivedCounts");
    private static readonly JsonEncodedText PopulationWithoutEstimate = JsonEncodedText.Encode("populationWithoutEstimate");
    private static readonly JsonEncodedText Districts = JsonEncodedText.Encode("districts");
    private static readonly JsonEncodedText DistrictsWithoutPopulation = JsonEncodedText.Encode("districtsWithoutPopulation");
    private static readonly JsonEncodedText AreaKm2 = JsonEncodedText.Encode("areaKm2");
    private static readonly JsonEncodedText QueryAreaKm2 = JsonEncodedText.Encode("queryAreaKm2");
    private static readonly JsonEncodedText Coverage = JsonEncodedText.Encode("coverage");
    private static readonly JsonEncodedText Repair = JsonEncodedText.Encode("repair");
    private static readonly JsonEncodedText Breakdown = JsonEncodedText.Encode("breakdown");
    private static readonly JsonEncodedText Code = JsonEncodedText.Encode("code");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Fraction = JsonEncodedText.Encode("fraction");

    /// <remarks>
    /// The body is built whole before its first byte is sent: should writing fail (<see cref="Utf8JsonWriter"/>
    /// refuses a non-finite number), the client gets a problem, never a 200 cut off half-way with a problem appended
    /// (issue 18: <c>"estimates":{{"type":...</c>). Load-time checks keep every sum finite (<c>EstimateTotals</c>).
    /// </remarks>
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(body))
        {
            if (collection)
            {
                writer.WriteStartObject();
                writer.WriteStartArray(Results);
                foreach (var area in areas)
                {
                    Write(writer, area);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            else
            {
                Write(writer, areas[0]);
            }
        }

        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = body.WrittenCount;
        await httpContext.Response.Body.WriteAsync(body.WrittenMemory, httpContext.RequestAborted);
    }

    private static void Write(Utf8JsonWriter writer, AggregatedArea area)
    {
        var result = area.Result;
        writer.WriteStartObject();
        if (area.Id is { } id)
        {
            writer.WritePropertyName(Id);
            id.WriteTo(writer);
        }

        if (area.Properties is { } properties)
        {
            writer.WritePropertyName(Properties);
            properties.WriteTo(writer);
        }

        writer.WriteNumber(Population, result.Population);
        writer.WriteStartObject(Estimates);
        foreach (var estimate in result.Estimates)
        {
            WriteNullable(writer, estimate.Name, estimate.Value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject(DerivedCounts);
        foreach (var count in result.DerivedCounts)
        {
            WriteNullable(writer, count.Name, count.Value);
        }

        writer.WriteEndObject();
        writer.WriteStartObject(PopulationWithoutEstimate);
        foreach (var estimate in result.Estimates)
        {
            writer.WriteNumber(estimate.Name, estimate.PopulationWithoutEstimate);
        }

        writer.WriteEndObject();
        writer.WriteNumber(Districts, result.Districts);
        writer.WriteNumber(DistrictsWithoutPopulation, result.DistrictsWithoutPopulation);
        writer.WriteNumber(AreaKm2, result.AreaKm2);
        writer.WriteNumber(QueryAreaKm2, result.QueryAreaKm2);
        writer.WriteNumber(Coverage, result.Coverage);
        if (result.Repair is null)
        {
            writer.WriteNull(Repair);
        }
        else
        {
            writer.WriteString(Repair, result.Repair);
        }

        if (result.Breakdown is { } breakdown)
        {
            writer.WriteStartArray(Breakdown);
            foreach (var share in breakdown)
            {
                writer.WriteStartObject();
                writer.WriteString(Code, share.Code);
                writer.WriteString(Name, share.Name);
                writer.WriteNumber(Fraction, share.Fraction);
                if (share.Population is { } population)
                {
                    writer.WriteNumber(Population, population);
                }
                else
                {
                    writer.WriteNull(Population);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
