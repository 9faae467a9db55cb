using Microsoft.AspNetCore.Http.HttpResults;

namespace TileServer.Infrastructure;

/// <summary>RFC 7807 problem responses shared by the endpoints.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: title);

    public static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    public static ProblemHttpResult Unprocessable(string title, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: title);

    public static ProblemHttpResult NotReady() =>
        TypedResults.Problem("The dataset is still loading; retry shortly.", statusCode: StatusCodes.Status503ServiceUnavailable, title: "Dataset not loaded");

    /// <summary><see cref="NotReady()"/>, with <c>Retry-After</c> set on the response: for every dataset endpoint while the dataset loads.</summary>
    public static ProblemHttpResult NotReady(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return NotReady();
    }
}

internal static class DatasetReadyFilter
{
    /// <summary>Answers 503 problem+json for every endpoint of the group until a dataset snapshot is loaded.</summary>
    public static RouteGroupBuilder RequireDataset(this RouteGroupBuilder group) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            var store = context.HttpContext.RequestServices.GetRequiredService<Core.Dataset.DatasetStore>();
            if (store.Current is null)
            {
                return Problems.NotReady(context.HttpContext);
            }

            return await next(context);
        });
}
