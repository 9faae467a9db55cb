using Microsoft.AspNetCore.Http.HttpResults;
using TileServer.Dataset;
using TileServer.Infrastructure;
using TileServer.Operations;

namespace TileServer.Health;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>/health/live</c>: the process answers. <c>/health/ready</c>: a dataset is loaded and the server is not
    /// shutting down (503 otherwise); its body names the served version and the reload state, so that a failed reload
    /// shows there while the server, serving the last good data, stays ready.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health").WithTags("Health");
        group.MapGet("/live", Live);
        group.MapGet("/ready", Ready);
        return app;
    }

    private static Ok<HealthStatus> Live() => TypedResults.Ok(new HealthStatus("live", null, null));

    private static Results<Ok<HealthStatus>, ProblemHttpResult> Ready(HttpContext context, DatasetStore store, DatasetReloader reloader, ShutdownDrain shutdown)
    {
        if (shutdown.IsDraining)
        {
            // A load balancer or client that retries this replica should wait; another replica answers meanwhile.
            context.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem("The server is shutting down; send requests to another replica.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Shutting down");
        }

        return store.Current is { } dataset
            ? TypedResults.Ok(new HealthStatus("ready", dataset.Version, reloader.Status))
            : Problems.NotReady(context);
    }
}

/// <param name="Reload">The reload state (<see cref="ReloadStatus"/>); null for liveness.</param>
public sealed record HealthStatus(string Status, string? DatasetVersion, ReloadStatus? Reload);
