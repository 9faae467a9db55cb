using System.Diagnostics;
using System.Net;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using NetTopologySuite.IO.Converters;

namespace TileServer.Infrastructure;

public static class HttpServiceExtensions
{
    /// <summary>
    /// JSON (camelCase, NTS geometries as GeoJSON), RFC 7807 problem details for every error whatever the
    /// <c>Accept</c> header (<see cref="ProblemJsonWriter"/>), CORS for browsers, the forwarded headers of a reverse
    /// proxy when <see cref="ProxyOptions"/> allow them, the public base URL of links (<see cref="PublicUrls"/>), and
    /// the request rules (<see cref="RequestRules"/>).
    /// </summary>
    public static IHostApplicationBuilder AddHttpConventions(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new GeoJsonConverterFactory());
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        });
        // Every problem names the request's W3C trace id (the client's traceparent when it sent one), the TraceId that
        // the request's log entries carry in their scope: an operator finds the logs of a user's error from its body.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["traceId"] = Activity.Current is { } activity ? activity.TraceId.ToHexString() : context.HttpContext.TraceIdentifier);
        ProblemJsonWriter.Register(builder.Services);
        builder.Services.AddSingleton<PublicUrls>();
        builder.Services.AddHostRule();
        // A request Kestrel refuses while the handler reads it (a body over the route's limit: 413; too slow: 408) keeps
        // that status in its problem instead of becoming a 500.
        builder.Services.Configure<ExceptionHandlerOptions>(o =>
            o.StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError);
        // JSON console logs (Logging:Console:FormatterName=json): UTC timestamps, and the scopes, which carry each
        // request's TraceId and SpanId; the configuration can still change either.
        builder.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        builder.Services.Configure<JsonConsoleFormatterOptions>(builder.Configuration.GetSection("Logging:Console:FormatterOptions"));
        builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("ETag", "Content-Crs", "Content-Disposition", Dataset.DatasetReadiness.VersionHeader)));
        builder.AddValidatedOptions<ProxyOptions>(ProxyOptions.SectionName, options => options.Validate());
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxy) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                | ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedPrefix;
            forwarded.KnownIPNetworks.Clear();
            forwarded.KnownProxies.Clear();
            foreach (var address in proxy.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(address));
            }
        });
        return builder;
    }

    public static WebApplication UseHttpConventions(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.ForwardedHeaders)
        {
            app.UseForwardedHeaders();
        }

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestSizeRule();
        app.UseHostRule();
        app.UseUtf8Parameters();
        app.UseSingleValuedParameters();
        app.UseCors();
        return app;
    }

    /// <summary>
    /// Every GET endpoint of the group also answers HEAD (RFC 9110, 9.3.2: a general-purpose server supports GET and
    /// HEAD; caches and CDNs check resources with it): the same handler, whose body Kestrel does not send.
    /// </summary>
    public static RouteGroupBuilder AnswerHeadLikeGet(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault() is { } methods
                && methods.HttpMethods.Contains(HttpMethods.Get) && !methods.HttpMethods.Contains(HttpMethods.Head))
            {
                endpoint.Metadata.Add(new HttpMethodMetadata([.. methods.HttpMethods, HttpMethods.Head], methods.AcceptCorsPreflight));
            }
        });
        return group;
    }
}
