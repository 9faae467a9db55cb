using Microsoft.AspNetCore.Http.HttpResults;
using TileServer.Core.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Health;

public static class HealthEndpoints
{
    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: a dataset is loaded (503 until then).</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", () => TypedResults.Ok(new HealthStatus("live", null)));
        group.MapGet("/ready", Results<Ok<HealthStatus>, ProblemHttpResult> (DatasetStore store) =>
            store.Current is { } snapshot ? TypedResults.Ok(new HealthStatus("ready", snapshot.Version)) : Problems.NotReady());
        return app;
    }
}

public sealed record HealthStatus(string Status, string? DatasetVersion);
