using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Options;
using TileServer.Infrastructure;

namespace TileServer.Operations;

public static class RequestLogServiceExtensions
{
    /// <summary>Request logging (<see cref="RequestLogOptions"/>): ASP.NET Core's HTTP logging, combined into one entry per request.</summary>
    public static IHostApplicationBuilder AddRequestLog(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<RequestLogOptions>(RequestLogOptions.SectionName, _ => RequestLogOptions.Validate());
        builder.Services.AddHttpLogging(o =>
        {
            o.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.RequestProtocol
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            o.CombineLogs = true;
        });
        // The entry is written at Information; the default configuration keeps Microsoft.AspNetCore at Warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore.HttpLogging", LogLevel.Information);
        return builder;
    }

    public static WebApplication UseRequestLog(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<RequestLogOptions>>().Value.Enabled)
        {
            app.UseHttpLogging();
        }

        return app;
    }
}
