using System.Buffers;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using TileServer.Core.Model;
using TileServer.Operations;

namespace TileServer.Infrastructure;

/// <summary>
/// Rules every request meets before routing, answered as problems (issue 17): the <c>Host</c> header against
/// <c>AllowedHosts</c> (defect 6), the request line's and headers' sizes, query parameters in UTF-8, and one value per
/// query parameter (defect 10).
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
    /// The documented request size limits (<c>Limits:MaxRequestLineBytes</c>, <c>MaxRequestHeadersBytes</c>,
    /// <c>MaxRequestHeaderCount</c>), answered as problems: 414 for a request line (method, target, version) over its
    /// limit, 431 for headers over theirs, each naming the limit. Kestrel's own limits are twice these
    /// (<see cref="Operations.LimitsServiceExtensions.AddLimits"/>), so that this rule, not Kestrel's bodiless answer,
    /// meets a client that crosses the documented limit. Sizes are counted as Kestrel counts them on the wire: the
    /// request line with its spaces and CRLF; each header line as <c>name: value</c> and CRLF.
    /// </summary>
    public static IApplicationBuilder UseRequestSizeRule(this IApplicationBuilder app)
    {
        var limits = app.ApplicationServices.GetRequiredService<IOptions<LimitsOptions>>().Value;
        return app.Use(async (context, next) =>
        {
            var request = context.Features.GetRequiredFeature<IHttpRequestFeature>();
            var line = request.Method.Length + request.RawTarget.Length + request.Protocol.Length + 4;
            if (line > limits.MaxRequestLineBytes)
            {
                await TooLarge(context, StatusCodes.Status414UriTooLong, "Request line too long",
                    $"The request line (method, target and query, version) is {line} bytes; this server takes at most {limits.MaxRequestLineBytes}. Send a long query in a POST body where the route takes one, or split it.",
                    "Limits:MaxRequestLineBytes");
                return;
            }

            var (bytes, count) = HeaderLines(context.Request.Headers);
            if (count > limits.MaxRequestHeaderCount || bytes > limits.MaxRequestHeadersBytes)
            {
                var (detail, key) = count > limits.MaxRequestHeaderCount
                    ? ($"The request has {count} header lines; this server takes at most {limits.MaxRequestHeaderCount}.", "Limits:MaxRequestHeaderCount")
                    : ($"The request headers are {bytes} bytes; this server takes at most {limits.MaxRequestHeadersBytes}.", "Limits:MaxRequestHeadersBytes");
                await TooLarge(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "Request headers too large", detail, key);
                return;
            }

            await next(context);
        });
    }

    /// <summary>
    /// The request's header lines and their size as Kestrel counts them on the wire (<c>name: value</c> and CRLF each;
    /// a header sent on several lines is one value a line), without allocating. Enumerating an
    /// <see cref="IHeaderDictionary"/> boxes Kestrel's struct enumerator (its dictionary type is internal), 96 B a
    /// request; <see cref="ICollection{T}.CopyTo"/> into a pooled array walks the same entries with none. A request with
    /// <c>Content-Length</c> still costs the string Kestrel formats back from the number it parsed, whichever way the
    /// headers are read.
    /// </summary>
    internal static (long Bytes, int Lines) HeaderLines(IHeaderDictionary headers)
    {
        var names = headers.Count;
        var entries = ArrayPool<KeyValuePair<string, StringValues>>.Shared.Rent(names);
        headers.CopyTo(entries, 0);
        var (bytes, lines) = (0L, 0);
        foreach (var (name, values) in entries.AsSpan(0, names))
        {
            foreach (var value in values)
            {
                bytes += name.Length + (value?.Length ?? 0) + 4;
                lines++;
            }
        }

        ArrayPool<KeyValuePair<string, StringValues>>.Shared.Return(entries, clearArray: true);
        return (bytes, lines);
    }

    private static Task TooLarge(HttpContext context, int status, string title, string detail, string limit)
    {
        // What is left of a request this large is not worth reading; the client reconnects.
        context.Response.Headers.Connection = "close";
        return TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["problem"] = "requestTooLarge", ["limit"] = limit }).ExecuteAsync(context);
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
