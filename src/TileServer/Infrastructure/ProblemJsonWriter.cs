namespace TileServer.Infrastructure;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's <c>Accept</c> header (issue 17,
/// defect 8): ASP.NET Core's own writer declines when <c>Accept</c> names neither JSON nor problem+json (a browser's
/// <c>text/html</c>, <c>text/csv</c>, <c>application/xml</c>), and the status-code pages then fall back to
/// <c>text/plain</c> "Status Code: 404; Not Found". An error of an API is read by its client's code, which checks the
/// status and reads the problem; RFC 9110 (section 12.1) lets a server disregard <c>Accept</c> rather than answer 406.
/// </summary>
/// <remarks>
/// Wraps the framework's writer (registered by <c>AddProblemDetails</c>), which still does the writing: its defaults
/// (type and title per status, <c>traceId</c>) and customisations stay as they are; only its <c>Accept</c> check is
/// taken away. Thread safety: stateless beyond the wrapped singleton.
/// </remarks>
internal sealed class ProblemJsonWriter(IProblemDetailsWriter framework) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context) => framework.WriteAsync(context);

    /// <summary>Replaces the framework's writer, registered by <c>AddProblemDetails</c> (called before), with this wrapper round it.</summary>
    public static void Register(IServiceCollection services)
    {
        var framework = services.Single(d => d.ServiceType == typeof(IProblemDetailsWriter) && d.ImplementationType is { Namespace: "Microsoft.AspNetCore.Http" });
        services.Remove(framework);
        services.AddSingleton<IProblemDetailsWriter>(provider =>
            new ProblemJsonWriter((IProblemDetailsWriter)ActivatorUtilities.CreateInstance(provider, framework.ImplementationType!)));
    }
}
