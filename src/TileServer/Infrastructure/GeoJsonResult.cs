using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace TileServer.Infrastructure;

/// <summary>A JSON body with the <c>application/geo+json</c> media type (RFC 7946), written with the app's JSON options (which know NTS geometries).</summary>
public sealed class GeoJsonResult<T>(T value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>, IContentTypeHttpResult
{
    public const string MediaType = "application/geo+json";

    public T Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => MediaType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        return httpContext.Response.WriteAsJsonAsync(Value, options, MediaType, httpContext.RequestAborted);
    }
}
