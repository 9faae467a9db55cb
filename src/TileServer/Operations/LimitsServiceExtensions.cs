using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using TileServer.Infrastructure;

namespace TileServer.Operations;

/// <summary>
/// The <c>Limits</c> section applied: Kestrel's limits, the body size of each route, and the heavy routes' concurrency
/// limiters (<c>Microsoft.AspNetCore.RateLimiting</c>) and timeouts (<c>Microsoft.AspNetCore.Http.Timeouts</c>).
/// </summary>
/// <remarks>
/// Two limiters: <c>compute</c>, one pool of permits shared by every CPU-heavy route (aggregation, batch lookup,
/// targeting, allocation), half the cores by default, so that cheap routes (tiles, single lookups, features) always
/// find a free core however many heavy requests arrive; and <c>downloads</c> for layer downloads, which are long but
/// mostly waiting on the client. Each has a short queue; a request that finds it full is answered at once with 429
/// problem and <c>Retry-After</c>, which costs microseconds, rather than piling up. A heavy request that runs past its
/// timeout answers 503 problem.
/// </remarks>
public static class LimitsServiceExtensions
{
    public const string ComputePolicy = "compute";
    public const string DownloadPolicy = "downloads";

    public static IHostApplicationBuilder AddLimits(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<LimitsOptions>(LimitsOptions.SectionName, options => options.Validate());
        var l = builder.Configuration.ValuesOrDefaults<LimitsOptions>(LimitsOptions.SectionName, options => options.Validate());
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = l.MaxConcurrentConnections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(l.RequestHeadersTimeoutSeconds);
            kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(l.KeepAliveTimeoutSeconds);
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(l.MinRequestBodyBytesPerSecond, TimeSpan.FromSeconds(l.MinRequestBodyGraceSeconds));
            kestrel.Limits.MinResponseDataRate = new MinDataRate(l.MinResponseBytesPerSecond, TimeSpan.FromSeconds(l.MinResponseGraceSeconds));
            kestrel.Limits.MaxRequestBodySize = l.MaxRequestBodyBytes;
            // Kestrel answers its own limits before the application runs, with no body (they cannot be customised:
            // aspnet/KestrelHttpServer#2947); twice the documented limits leaves the documented ones to
            // RequestRules.UseRequestSizeRule, which answers problem+json.
            kestrel.Limits.MaxRequestLineSize = 2 * l.MaxRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 2 * l.MaxRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = 2 * l.MaxRequestHeaderCount;
        });

        builder.Services.AddRateLimiter(_ => { });
        builder.Services.Configure<RateLimiterOptions>(rateLimiter =>
        {
            rateLimiter.AddPolicy(ComputePolicy, _ => RateLimitPartition.GetConcurrencyLimiter(ComputePolicy, _ => new ConcurrencyLimiterOptions
            {
                PermitLimit = l.ComputePermits,
                QueueLimit = l.ComputeQueue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
            rateLimiter.AddPolicy(DownloadPolicy, context => Features.FeatureEndpoints.IsDownload(context.Request)
                ? RateLimitPartition.GetConcurrencyLimiter(DownloadPolicy, _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = l.DownloadConcurrency,
                    QueueLimit = l.DownloadQueue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty));
            rateLimiter.OnRejected = (rejected, _) => TooManyRequests(rejected.HttpContext, l.RetryAfterSeconds);
        });

        builder.Services.AddRequestTimeouts(_ => { });
        builder.Services.Configure<RequestTimeoutOptions>(timeouts =>
        {
            timeouts.AddPolicy(ComputePolicy, Timeout(l.ComputeTimeoutSeconds, "Limits:ComputeTimeoutSeconds"));
            timeouts.AddPolicy(DownloadPolicy, Timeout(l.DownloadTimeoutSeconds, "Limits:DownloadTimeoutSeconds"));
        });
        return builder;
    }

    /// <summary>The limiters and timeouts, after routing (they apply per endpoint).</summary>
    public static WebApplication UseLimits(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseRequestTimeouts();
        return app;
    }

    /// <summary>A CPU-heavy route: the shared <c>compute</c> permits and <c>Limits:ComputeTimeoutSeconds</c>.</summary>
    public static TBuilder LimitedAsCompute<TBuilder>(this TBuilder route)
        where TBuilder : IEndpointConventionBuilder
    {
        route.RequireRateLimiting(ComputePolicy).WithRequestTimeout(ComputePolicy);
        return route;
    }

    /// <summary>A route whose download formats take the <c>downloads</c> permits and <c>Limits:DownloadTimeoutSeconds</c>.</summary>
    public static TBuilder LimitedAsDownload<TBuilder>(this TBuilder route)
        where TBuilder : IEndpointConventionBuilder
    {
        route.RequireRateLimiting(DownloadPolicy).WithRequestTimeout(DownloadPolicy);
        return route;
    }

    /// <summary>The route's own largest request body, in place of <c>Limits:MaxRequestBodyBytes</c> (routing applies it before the handler).</summary>
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder route, long maxBytes)
        where TBuilder : IEndpointConventionBuilder =>
        route.WithMetadata(new BodySizeLimit(maxBytes));

    private static RequestTimeoutPolicy Timeout(double seconds, string key) => new()
    {
        Timeout = TimeSpan.FromSeconds(seconds),
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = context =>
        {
            context.Response.Headers.RetryAfter = RetryAfterTimeout;
            return TypedResults.Problem(
                $"The request took longer than {seconds} s ({key}); ask for less (a smaller area, fewer points or rules, a filter) or retry later.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Request timed out").ExecuteAsync(context);
        },
    };

    /// <summary>The <c>Retry-After</c> of a timed-out heavy request: the same request is as heavy a moment later, so not at once.</summary>
    private const string RetryAfterTimeout = "5";

    private static ValueTask TooManyRequests(HttpContext context, int retryAfterSeconds)
    {
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new ValueTask(TypedResults.Problem(
            $"Too many heavy requests are running or waiting; retry after {retryAfterSeconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests").ExecuteAsync(context));
    }

    private sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;
}
