using TileServer.Infrastructure;

namespace TileServer.Dataset;

/// <summary>
/// The readiness rule of every route that answers from the dataset (<c>/v1</c>, <c>/tiles</c>): while no dataset is
/// loaded the route answers 503 problem+json with <c>Retry-After</c>; once one is, the request takes the current
/// <see cref="ServedDataset"/> once and the handler answers from it alone (<see cref="ServedDataset.From"/>, or a
/// <see cref="ServedDataset"/> parameter), and the answer names its version in <c>X-Dataset-Version</c> (problems
/// included), however many reloads happen while it runs.
/// </summary>
/// <remarks>
/// A route-group convention that wraps each endpoint's <see cref="RequestDelegate"/>, rather than an endpoint filter,
/// so that it applies in the same way to minimal-API handlers and to the plain request delegates of the hot paths
/// (tiles, single lookups; filters never run for those), and costs one volatile read and one feature slot per request.
/// </remarks>
public static class DatasetReadiness
{
    public static RouteGroupBuilder RequireDataset(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            var handler = endpoint.RequestDelegate ?? throw new InvalidOperationException($"{endpoint.DisplayName} has no request delegate to guard");
            var store = endpoint.ApplicationServices.GetRequiredService<DatasetStore>();
            endpoint.RequestDelegate = context => store.Current is { } dataset ? Answer(context, dataset, handler) : NotReady(context);
        });
        return group;
    }

    /// <summary>The response header naming the version the request is answered from (every <c>/v1</c>, <c>/tiles</c> and OGC answer).</summary>
    public const string VersionHeader = "X-Dataset-Version";

    private static Task Answer(HttpContext context, ServedDataset dataset, RequestDelegate handler)
    {
        context.Features.Set(dataset);
        context.Response.Headers[VersionHeader] = dataset.Version;
        return handler(context);
    }

    private static Task NotReady(HttpContext context) => Problems.NotReady(context).ExecuteAsync(context);
}
