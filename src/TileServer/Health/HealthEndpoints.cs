using Microsoft.AspNetCore.Http.HttpResults;
using TileServer.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Health;

public static class HealthEndpoints
{
    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: a dataset is loaded (503 until then).</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live);
        group.MapGet("/ready", Ready);
        return app;
    }

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live", null));

    private static Results<Ok<HealthStatus>, ProblemHttpResult> Ready(HttpContext context, DatasetStore store) =>
        store.Current is { } dataset ? TypedResults.Ok(new HealthStatus("ready", dataset.Version)) : Problems.NotReady(context);
}

public sealed record HealthStatus(string Status, string? DatasetVersion);
