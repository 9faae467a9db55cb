using System.Buffers;
using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using TileServer.Core.Targeting;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Metrics;
using TileServer.Operations;

namespace TileServer.Targeting;

public static class TargetingEndpoints
{
    /// <summary>
    /// Mapped in the <c>/v1</c> group: <c>POST /v1/targeting</c> compares targeting rules (which units a program enters) on the poverty map;
    /// <c>POST /v1/allocation</c>: splits a budget across units by formulas. Both answer from the snapshot's
    /// <see cref="TargetingIndex"/>; <c>Accept: text/csv</c> gives one row per rule (targeting) or per unit
    /// (allocation); <c>?selected=false</c> leaves the lists of unit codes out. The contract is in the README,
    /// "Targeting and allocation".
    /// </summary>
    public static IEndpointRouteBuilder MapTargeting(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Targeting");
        // Targeting:MaxBodyBytes (enforced by the handlers with their own problem) in place of Limits:MaxRequestBodyBytes.
        var maxBody = api.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TargetingOptions>>().Value.MaxBodyBytes;
        group.MapPost("/targeting", PostTargetingAsync)
            .WithBodyLimit(maxBody)
            .WithName("compareTargetingRules")
            .WithSummary("Compare targeting rules")
            .WithDescription(
                "Applies each rule (threshold, top-N, population budget, money budget per person) to the units of a level in a scope and "
                + "measures it against the poor: coverage, undercoverage, leakage, precision, CGH, the best the same population could reach, "
                + "efficiency, and per department. Example: {\"level\": \"district\", \"indicator\": \"pobreza_pct\", \"rules\": "
                + "[{\"name\": \"poorest\", \"threshold\": 50}, {\"name\": \"top 100\", \"top\": 100}, {\"name\": \"2 million\", \"populationBudget\": 2000000}]}.")
            .AnswersJsonOrCsv()
            .WithTargetingDocument()
            .LimitedAsCompute();
        group.MapPost("/allocation", PostAllocationAsync)
            .WithBodyLimit(maxBody)
            .WithName("allocateBudget")
            .WithSummary("Split a budget across units by formulas")
            .WithDescription(
                "Splits a budget in whole currency units (largest-remainder rounding: the amounts add up to the budget) across the units of a level "
                + "in a scope, by each formula, with the amount per person and per poor person and the formula's distance to the poor-proportional "
                + "allocation. Example: {\"budget\": 1000000000, \"level\": \"department\", \"formulas\": [\"population\", \"poor\", \"extremePoor\", "
                + "\"equal\", {\"name\": \"70/30\", \"weights\": {\"poor\": 0.7, \"population\": 0.3}}]}.")
            .AnswersJsonOrCsv()
            .WithAllocationDocument()
            .LimitedAsCompute();
        return api;
    }

    /// <summary>What both routes answer: JSON or CSV; problems for bad, large or non-JSON bodies (the body: <see cref="TargetingOpenApi"/>).</summary>
    private static RouteHandlerBuilder AnswersJsonOrCsv(this RouteHandlerBuilder route) => route
        .Produces(StatusCodes.Status200OK, contentType: "application/json", additionalContentTypes: "text/csv")
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    internal static async Task<Results<TargetingJsonResult, TargetingCsvResult, ProblemHttpResult>> PostTargetingAsync(
        HttpContext context, ServedDataset dataset, ServerMetrics metrics, string? selected)
    {
        var (request, problem) = await ReadAsync(context, dataset.TargetingOptions, selected, TargetingRequestReader.ReadTargeting);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = TargetingEngine.Evaluate(dataset.Snapshot.Targeting, request.Query!);
            metrics.Targeted("targeting", Stopwatch.GetElapsedTime(started));
            return WantsCsv(context.Request)
                ? new TargetingCsvResult(result, request.Selected)
                : new TargetingJsonResult(result, request.Selected);
        }
        catch (InvalidTargetingRequestException e)
        {
            return Invalid(e);
        }
    }

    internal static async Task<Results<AllocationJsonResult, AllocationCsvResult, ProblemHttpResult>> PostAllocationAsync(
        HttpContext context, ServedDataset dataset, ServerMetrics metrics)
    {
        var (request, problem) = await ReadAsync(context, dataset.TargetingOptions, null, TargetingRequestReader.ReadAllocation);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            var result = BudgetAllocator.Allocate(dataset.Snapshot.Targeting, request.Query!);
            metrics.Targeted("allocation", Stopwatch.GetElapsedTime(started));
            return WantsCsv(context.Request) ? new AllocationCsvResult(result) : new AllocationJsonResult(result);
        }
        catch (InvalidTargetingRequestException e)
        {
            return Invalid(e);
        }
    }

    /// <summary>Checks the query string and the content type, reads the body with its size limit and parses it.</summary>
    private static async Task<((TQuery? Query, bool Selected) Request, ProblemHttpResult? Problem)> ReadAsync<TQuery>(
        HttpContext context, TargetingOptions options, string? selected, Func<ReadOnlyMemory<byte>, TargetingReadOptions, TQuery> read)
        where TQuery : class
    {
        var withSelected = true;
        if (!string.IsNullOrEmpty(selected) && !bool.TryParse(selected, out withSelected))
        {
            return (default, Problems.BadRequest("Invalid parameter 'selected'", $"selected must be true or false; got '{selected}'."));
        }

        if (context.Request.ContentType is { } contentType
            && (!MediaTypeHeaderValue.TryParse(contentType, out var media)
                || !(media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
        {
            return (default, TypedResults.Problem($"{context.Request.Path} takes an application/json body, got '{contentType}'.",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported body type"));
        }

        var (buffer, length, tooLarge) = await RequestBody.ReadAsync(context, options.MaxBodyBytes, "Targeting:MaxBodyBytes", "simplify the scope area or split the request");
        if (tooLarge is not null)
        {
            return (default, tooLarge);
        }

        try
        {
            return ((read(buffer.AsMemory(0, length), options.ReadOptions()), withSelected), null);
        }
        catch (InvalidTargetingRequestException e)
        {
            return (default, Invalid(e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>400 problem+json naming the field: in the title, and as <c>field</c> (a JSON path into the body).</summary>
    private static ProblemHttpResult Invalid(InvalidTargetingRequestException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest,
            title: e.Field.Length == 0 ? "Invalid body" : $"Invalid '{e.Field}'",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["field"] = e.Field });

    /// <summary>
    /// True when the client prefers CSV: <c>Accept</c> names <c>text/csv</c> with a quality above that of any JSON
    /// type it accepts (<c>application/json</c>, <c>application/*</c>, <c>*/*</c>), or the same quality and first.
    /// </summary>
    private static bool WantsCsv(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted))
        {
            return false;
        }

        double csv = 0, json = 0;
        int csvAt = -1, jsonAt = -1;
        for (var i = 0; i < accepted.Count; i++)
        {
            var media = accepted[i];
            var quality = media.Quality ?? 1;
            if (media.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase) && quality > csv)
            {
                (csv, csvAt) = (quality, i);
            }
            else if ((media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                      || media.MediaType.Equals("application/*", StringComparison.OrdinalIgnoreCase)
                      || media.MediaType.Equals("*/*", StringComparison.OrdinalIgnoreCase)) && quality > json)
            {
                (json, jsonAt) = (quality, i);
            }
        }

        return csv > 0 && (csv > json || (csv == json && csvAt < jsonAt));
    }
}
