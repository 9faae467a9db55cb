using Microsoft.AspNetCore.HostFiltering;
using Microsoft.Extensions.Primitives;
using TileServer.Core.Model;

namespace TileServer.Infrastructure;

/// <summary>
/// Rules every request meets before routing, answered as problems (issue 17): the <c>Host</c> header against
/// <c>AllowedHosts</c> (defect 6), query parameters in UTF-8, and one value per query parameter (defect 10).
/// </summary>
internal static class RequestRules
{
    /// <summary>
    /// <c>AllowedHosts</c> (the standard ASP.NET Core key, semicolon-separated, <c>*.example.org</c> wildcards, default
    /// <c>*</c>): a request whose <c>Host</c> is not one of them is 400, as a problem. The framework's own host filter
    /// answers with an HTML page before any of the application's error handling; it is left allowing every host and
    /// this rule, with the framework's matcher (<see cref="HostString.MatchesAny"/>), runs inside the pipeline instead.
    /// A request without a <c>Host</c> is 400 too when URLs are built from it (no <c>Proxy:PublicBaseUrl</c>), but for
    /// <c>/health</c>, which load balancers probe with bare HTTP/1.0.
    /// </summary>
    public static IServiceCollection AddHostRule(this IServiceCollection services)
    {
        services.PostConfigure<HostFilteringOptions>(o => o.AllowedHosts = ["*"]);
        return services;
    }

    /// <summary>The middleware of <see cref="AddHostRule"/>.</summary>
    public static IApplicationBuilder UseHostRule(this IApplicationBuilder app)
    {
        var configured = app.ApplicationServices.GetRequiredService<IConfiguration>()["AllowedHosts"] ?? "*";
        var patterns = configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => new StringSegment(p)).ToList();
        var anyHost = patterns.Count == 0 || patterns.Any(p => p.Equals("*", StringComparison.Ordinal));
        var urlsFromRequest = app.ApplicationServices.GetRequiredService<PublicUrls>().FromRequest;
        return app.Use(async (context, next) =>
        {
            var host = context.Request.Host;
            if (!host.HasValue || host.Host.Length == 0)
            {
                if (urlsFromRequest && !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase))
                {
                    await Problems.BadRequest("Missing Host", "The request has no Host header, from which this server builds the absolute URLs in its answers; send Host (HTTP/1.1 requires it), or set Proxy:PublicBaseUrl on the server.")
                        .ExecuteAsync(context);
                    return;
                }
            }
            else if (!anyHost && !HostString.MatchesAny(new StringSegment(host.Host), patterns))
            {
                await Problems.BadRequest("Host not allowed", $"This server does not answer for the host '{host.Host}' (AllowedHosts).").ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    /// <summary>
    /// Every query parameter's name and value is percent-encoded UTF-8 (<see cref="QueryStringEncoding"/>): a
    /// parameter with <c>%FF</c> or an encoded surrogate is 400 <c>invalidParameterEncoding</c> naming it, as such bytes
    /// in a body are, rather than a U+FFFD the client never sent reaching a filter or a search.
    /// </summary>
    public static IApplicationBuilder UseUtf8Parameters(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var query = context.Request.QueryString.Value;
        if (query is not null && !QueryStringEncoding.IsUtf8(query, out var at))
        {
            var name = query[at];
            await TypedResults.Problem(
                $"The query parameter '{name}' is not percent-encoded UTF-8 (RFC 3986, section 2.5); encode its text as UTF-8 bytes.",
                statusCode: StatusCodes.Status400BadRequest,
                title: $"Parameter '{name}' not UTF-8",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "invalidParameterEncoding", ["parameter"] = name })
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    /// <summary>
    /// Every query parameter of every route is single-valued (lists are comma-separated values of one parameter:
    /// <c>bbox</c>, <c>sortby</c>, <c>properties</c>): a parameter given twice is 400 naming it, whatever the route,
    /// rather than one route joining the values with a comma, another keeping the first, a third refusing.
    /// </summary>
    public static IApplicationBuilder UseSingleValuedParameters(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var (name, values) in context.Request.Query)
        {
            if (values.Count > 1)
            {
                await TypedResults.Problem(
                    $"The query parameter '{name}' is given {values.Count} times; give it once (every parameter of this server takes one value; lists are comma-separated).",
                    statusCode: StatusCodes.Status400BadRequest,
                    title: $"Repeated parameter '{name}'",
                    extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "repeatedParameter", ["parameter"] = name })
                    .ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });
}
