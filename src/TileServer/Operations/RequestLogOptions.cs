namespace TileServer.Operations;

/// <summary>Configuration section <c>RequestLog</c>: one log line per request, off by default, validated at start.</summary>
public sealed class RequestLogOptions
{
    public const string SectionName = "RequestLog";

    /// <summary>
    /// Log each request once it is answered (<see cref="RequestLogMiddleware"/>, one entry at Information): method,
    /// path, protocol, status, duration and route template. The query string is left out: lookups carry people's positions.
    /// Default false.
    /// </summary>
    public bool Enabled { get; set; }

    public static IReadOnlyList<string> Validate() => [];
}
