using TileServer.Infrastructure;

namespace TileServer.Operations;

/// <summary>
/// Configuration section <c>Limits</c>: what one client, or many, may take of the server. Kestrel's connection and
/// timing limits, request body sizes, and the concurrency limits and timeouts of the heavy routes
/// (<see cref="LimitsServiceExtensions"/>). Validated at start; the defaults are argued in the README ("Limits").
/// </summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Most open connections (Kestrel <c>MaxConcurrentConnections</c>); more are refused at once. Default 4096.</summary>
    public int MaxConcurrentConnections { get; set; } = 4096;

    /// <summary>Seconds a client has to send all request headers (Kestrel's default is 30); the slowloris bound. Default 10.</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds an idle keep-alive connection stays open; longer than the usual load balancer idle timeout (60 s). Default 130.</summary>
    public double KeepAliveTimeoutSeconds { get; set; } = 130;

    /// <summary>Slowest request body upload, bytes per second after <see cref="MinRequestBodyGraceSeconds"/>. Default 240 (Kestrel's).</summary>
    public double MinRequestBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Seconds before the request body rate is enforced. Default 5.</summary>
    public double MinRequestBodyGraceSeconds { get; set; } = 5;

    /// <summary>
    /// Slowest reader of a response, bytes per second after <see cref="MinResponseGraceSeconds"/>; a slower one is
    /// disconnected, so that it cannot hold a large batch answer or download (and its permit) for hours. Default 4096
    /// (Kestrel's is 240: a 3 MB batch answer could then take 3.5 hours).
    /// </summary>
    public double MinResponseBytesPerSecond { get; set; } = 4096;

    /// <summary>Seconds before the response rate is enforced. Default 10.</summary>
    public double MinResponseGraceSeconds { get; set; } = 10;

    /// <summary>
    /// Longest request line (method, target with its query, version; 8192 bytes, Kestrel's default): longer is 414
    /// problem. Kestrel's own limit is set to twice this so that the server, not Kestrel, answers with a body; past
    /// that Kestrel answers 414 without one (<see cref="RequestRules.UseRequestSizeRule"/>).
    /// </summary>
    public int MaxRequestLineBytes { get; set; } = 8 * 1024;

    /// <summary>Most bytes of request headers (each <c>name: value</c> line; 32768, Kestrel's default): more is 431 problem; Kestrel's own limit is twice this.</summary>
    public int MaxRequestHeadersBytes { get; set; } = 32 * 1024;

    /// <summary>Most request header lines (100, Kestrel's default): more is 431 problem; Kestrel's own limit is twice this.</summary>
    public int MaxRequestHeaderCount { get; set; } = 100;

    /// <summary>Largest request body of every route without a limit of its own (GET routes take none). Default 65536.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Heavy computations at once (aggregation, batch lookup, targeting, allocation), all routes together; 0: half
    /// the processors, at least 1 (the rest stay free for tiles, lookups and features). Default 0.
    /// </summary>
    public int ComputeConcurrency { get; set; }

    /// <summary>Heavy computations that may wait for a permit (oldest first); beyond, 429 with <c>Retry-After</c>. Default 8.</summary>
    public int ComputeQueue { get; set; } = 8;

    /// <summary>Seconds a heavy computation may take; beyond, 503 problem. Default 30.</summary>
    public double ComputeTimeoutSeconds { get; set; } = 30;

    /// <summary>Layer downloads at once (<c>items?f=gpkg</c>, <c>f=shp</c>, <c>f=csv</c>). Default 2.</summary>
    public int DownloadConcurrency { get; set; } = 2;

    /// <summary>Downloads that may wait for a permit; beyond, 429. Default 8.</summary>
    public int DownloadQueue { get; set; } = 8;

    /// <summary>Seconds a download may take to produce and send; beyond, 503 problem if nothing was sent yet, else the connection is cut. Default 300.</summary>
    public double DownloadTimeoutSeconds { get; set; } = 300;

    /// <summary>The <c>Retry-After</c> of a 429, in seconds. Default 1.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary><see cref="ComputeConcurrency"/> with 0 resolved.</summary>
    public int ComputePermits => ComputeConcurrency > 0 ? ComputeConcurrency : Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Range(string key, double value, double min, double max)
        {
            if (!(value >= min && value <= max))
            {
                errors.Add($"Limits:{key} must be between {min} and {max}, got {value}.");
            }
        }

        Range(nameof(MaxConcurrentConnections), MaxConcurrentConnections, 1, 1_000_000);
        Range(nameof(RequestHeadersTimeoutSeconds), RequestHeadersTimeoutSeconds, 1, 600);
        Range(nameof(KeepAliveTimeoutSeconds), KeepAliveTimeoutSeconds, 1, 3600);
        Range(nameof(MinRequestBodyBytesPerSecond), MinRequestBodyBytesPerSecond, 1, 1e9);
        Range(nameof(MinRequestBodyGraceSeconds), MinRequestBodyGraceSeconds, 1, 600);
        Range(nameof(MinResponseBytesPerSecond), MinResponseBytesPerSecond, 1, 1e9);
        Range(nameof(MinResponseGraceSeconds), MinResponseGraceSeconds, 1, 600);
        Range(nameof(MaxRequestLineBytes), MaxRequestLineBytes, 1024, 1 << 20);
        Range(nameof(MaxRequestHeadersBytes), MaxRequestHeadersBytes, 1024, 1 << 22);
        Range(nameof(MaxRequestHeaderCount), MaxRequestHeaderCount, 10, 10_000);
        Range(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, 0, int.MaxValue);
        Range(nameof(ComputeConcurrency), ComputeConcurrency, 0, 10_000);
        Range(nameof(ComputeQueue), ComputeQueue, 0, 100_000);
        Range(nameof(ComputeTimeoutSeconds), ComputeTimeoutSeconds, 0.1, 3600);
        Range(nameof(DownloadConcurrency), DownloadConcurrency, 1, 10_000);
        Range(nameof(DownloadQueue), DownloadQueue, 0, 100_000);
        Range(nameof(DownloadTimeoutSeconds), DownloadTimeoutSeconds, 1, 86_400);
        Range(nameof(RetryAfterSeconds), RetryAfterSeconds, 1, 3600);
        return errors;
    }
}
