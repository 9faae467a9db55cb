using TileServer.Infrastructure;

namespace TileServer.Operations;

public static class ShutdownServiceExtensions
{
    /// <summary>
    /// Graceful shutdown (<see cref="ShutdownDrain"/>): the host's shutdown timeout becomes
    /// <c>Shutdown:DrainSeconds</c> + <c>Shutdown:TimeoutSeconds</c>, of which Kestrel gets what the drain leaves.
    /// </summary>
    public static IHostApplicationBuilder AddShutdown(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ShutdownOptions>(ShutdownOptions.SectionName, options => options.Validate());
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ShutdownDrain>());
        var shutdown = builder.Configuration.ValuesOrDefaults<ShutdownOptions>(ShutdownOptions.SectionName, options => options.Validate());
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(shutdown.DrainSeconds + shutdown.TimeoutSeconds));
        return builder;
    }

    /// <summary>While draining, HTTP/1.1 answers carry <c>Connection: close</c>, so that keep-alive clients move to another replica.</summary>
    public static WebApplication UseShutdownDrain(this WebApplication app)
    {
        var drain = app.Services.GetRequiredService<ShutdownDrain>();
        app.Use((context, next) =>
        {
            if (drain.IsDraining && HttpProtocol.IsHttp11(context.Request.Protocol))
            {
                context.Response.Headers.Connection = "close";
            }

            return next(context);
        });
        return app;
    }
}
