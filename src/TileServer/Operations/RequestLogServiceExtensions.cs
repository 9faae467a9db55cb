using Microsoft.Extensions.Options;
using TileServer.Infrastructure;

namespace TileServer.Operations;

public static class RequestLogServiceExtensions
{
    /// <summary>Request logging (<see cref="RequestLogOptions"/>): one entry per request by <see cref="RequestLogMiddleware"/>.</summary>
    public static IHostApplicationBuilder AddRequestLog(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<RequestLogOptions>(RequestLogOptions.SectionName, _ => RequestLogOptions.Validate());
        // The entry is written at Information; an operator's Logging:LogLevel:Default=Warning must not hide it.
        builder.Logging.AddFilter(RequestLogMiddleware.Category, LogLevel.Information);
        return builder;
    }

    public static WebApplication UseRequestLog(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<RequestLogOptions>>().Value.Enabled)
        {
            app.UseMiddleware<RequestLogMiddleware>();
        }

        return app;
    }
}
