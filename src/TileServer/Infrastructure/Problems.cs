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

    /// <summary><see cref="NotReady()"/>, with <c>Retry-After</c> set on the response: for every dataset route while the dataset loads (<see cref="Dataset.DatasetReadiness"/>).</summary>
    public static ProblemHttpResult NotReady(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return NotReady();
    }
}
