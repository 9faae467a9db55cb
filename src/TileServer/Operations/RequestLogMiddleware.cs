using System.Diagnostics;

namespace TileServer.Operations;

/// <summary>
/// Writes one <c>Information</c> entry per answered request to the category <see cref="Category"/>: method, path
/// (without the query string: lookups carry people's positions), protocol, status, duration in milliseconds and the
/// route template. The entry is written inside the request's logging scope, so the JSON console formatter carries its
/// <c>TraceId</c> and <c>SpanId</c>.
/// </summary>
/// <remarks>
/// Replaces ASP.NET Core's HTTP logging, which cost too much under load (README, "Request logging"): it builds a
/// per-request state and a list of fields, and its combined entry is a multi-line message (about eight lines per
/// request with the simple formatter) that the console logger's single writer thread must keep up with, requests
/// waiting on its full queue. Here the entry is one line through a source-generated <see cref="LoggerMessageAttribute"/>:
/// no boxing and no formatting unless the category is enabled, and every argument is a string the request already
/// holds. Thread safety: stateless apart from the logger, which is thread-safe.
/// </remarks>
public sealed partial class RequestLogMiddleware(RequestDelegate next, ILoggerFactory loggers)
{
    /// <summary>The log category of the request entries (enabled at <c>Information</c> by <c>AddRequestLog</c>).</summary>
    public const string Category = "TileServer.RequestLog";

    private readonly ILogger _logger = loggers.CreateLogger(Category);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            await next(context);
            failed = false;
        }
        finally
        {
            // An exception that escapes the pipeline becomes Kestrel's 500 when nothing was sent yet.
            var status = failed && !context.Response.HasStarted ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "";
            LogRequest(_logger, context.Request.Method, context.Request.Path.Value ?? "", context.Request.Protocol, status,
                Stopwatch.GetElapsedTime(started).TotalMilliseconds, route);
        }
    }

    [LoggerMessage(EventId = 1, EventName = "Request", Level = LogLevel.Information,
        Message = "{Method} {Path} {Protocol} {StatusCode} {DurationMs:0.###} ms route {Route}")]
    private static partial void LogRequest(ILogger logger, string method, string path, string protocol, int statusCode, double durationMs, string route);
}
