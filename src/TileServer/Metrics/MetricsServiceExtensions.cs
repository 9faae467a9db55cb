using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using TileServer.Infrastructure;

namespace TileServer.Metrics;

/// <summary>
/// <c>GET /metrics</c> in the Prometheus text format, by the OpenTelemetry SDK and its Prometheus exporter (the
/// choice is argued in the README, "Metrics"): ASP.NET Core's own meters (requests by route template and status,
/// active requests, Kestrel connections, rate limiting), the .NET runtime's (<c>System.Runtime</c>: GC, heap, thread
/// pool, exceptions) and the server's (<see cref="ServerMetrics"/>).
/// </summary>
public static class MetricsServiceExtensions
{
    public const string Path = "/metrics";

    /// <summary>The meters exported: every one has labels from closed sets (routes are templates, never raw paths).</summary>
    public static readonly IReadOnlyList<string> Meters =
    [
        ServerMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "System.Runtime",
    ];

    /// <summary>
    /// Runtime gauges whose names end in <c>.count</c>: Prometheus reserves <c>_count</c> for histograms and summaries
    /// (<c>promtool check metrics</c> rejects them), so they are exported under these names.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Renamed = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["dotnet.assembly.count"] = "dotnet.assembly.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpu.processors",
        ["dotnet.thread_pool.thread.count"] = "dotnet.thread_pool.threads",
        ["dotnet.timer.count"] = "dotnet.timers",
    };

    public static WebApplicationBuilder AddMetrics(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<MetricsOptions>(MetricsOptions.SectionName, options => options.Validate());
        builder.Services.AddSingleton<ServerMetrics>();
        var options = builder.Configuration.ValuesOrDefaults<MetricsOptions>(MetricsOptions.SectionName, o => o.Validate());
        if (!options.Enabled)
        {
            return builder;
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("tileserver", serviceVersion: typeof(ServerMetrics).Assembly.GetName().Version?.ToString()))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. Meters]);
                foreach (var (instrument, name) in Renamed)
                {
                    metrics.AddView(instrument, name);
                }

                // Every scrape sees the current values (the exporter caches 300 ms by default).
                metrics.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            });

        if (options.ParsedUrls() is { Count: > 0 } metricsUrls)
        {
            // The metrics addresses join the public ones (--urls, ASPNETCORE_URLS, ASPNETCORE_HTTP_PORTS, else Kestrel's default).
            var publicUrls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } urls ? urls
                : builder.Configuration[WebHostDefaults.HttpPortsKey] is { Length: > 0 } ports
                    ? string.Join(';', ports.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(p => $"http://*:{p.Trim()}"))
                    : "http://localhost:5000";
            builder.WebHost.UseUrls([.. publicUrls.Split(';', StringSplitOptions.RemoveEmptyEntries), .. metricsUrls.Select(u => u.GetLeftPart(UriPartial.Authority))]);
        }

        return builder;
    }

    /// <summary>
    /// Maps <c>/metrics</c> (its own requests are left out of the HTTP metrics). With <c>Metrics:Urls</c>, requests on
    /// the metrics ports reach <c>/metrics</c> and <c>/health</c> only, and <c>/metrics</c> answers 404 on the others.
    /// </summary>
    public static WebApplication UseMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }

        var metricsPorts = options.ParsedUrls().Select(u => u.Port).ToHashSet();
        if (metricsPorts.Count > 0)
        {
            app.Use((context, next) =>
            {
                var onMetricsPort = metricsPorts.Contains(context.Connection.LocalPort);
                var path = context.Request.Path;
                var allowed = path.Equals(Path, StringComparison.Ordinal)
                    ? onMetricsPort
                    : !onMetricsPort || path.StartsWithSegments("/health", StringComparison.Ordinal);
                if (allowed)
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }

        app.MapPrometheusScrapingEndpoint(Path).DisableHttpMetrics();
        return app;
    }
}
