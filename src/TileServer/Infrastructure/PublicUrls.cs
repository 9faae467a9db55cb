using Microsoft.Extensions.Options;

namespace TileServer.Infrastructure;

/// <summary>
/// The base of the absolute URLs the server writes into answers (the TileJSON's tile URLs, OGC API links, the OpenAPI
/// server): <see cref="ProxyOptions.PublicBaseUrl"/> when it is set, else the request's scheme, <c>Host</c> and path
/// base (the proxy's, when <see cref="ProxyOptions.ForwardedHeaders"/> is on). An answer whose URLs come from the
/// request varies with the headers they come from, which it says in <c>Vary</c> (issue 17, defect 6: a cache must
/// not hand one client's <c>Host</c> to another).
/// </summary>
/// <remarks>Thread safety: immutable; a singleton.</remarks>
internal sealed class PublicUrls(IOptions<ProxyOptions> options)
{
    private readonly string? _configured = options.Value.PublicBaseUrl?.TrimEnd('/');

    /// <summary>The request headers URLs are derived from: <c>Host</c>, and the forwarded ones when they are honoured.</summary>
    private readonly string _varyOn = options.Value.ForwardedHeaders ? "Host, X-Forwarded-Proto, X-Forwarded-Host, X-Forwarded-Prefix" : "Host";

    /// <summary>True when URLs come from each request (no <see cref="ProxyOptions.PublicBaseUrl"/>).</summary>
    public bool FromRequest => _configured is null;

    /// <summary><c>scheme://host[:port][/prefix]</c>, without a trailing slash.</summary>
    public string Base(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _configured ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
    }

    /// <summary><paramref name="vary"/> (the answer's own <c>Vary</c> list, may be empty) and, when URLs come from the
    /// request, the headers they come from.</summary>
    public string Vary(string vary) => !FromRequest ? vary : vary.Length == 0 ? _varyOn : $"{vary}, {_varyOn}";
}
