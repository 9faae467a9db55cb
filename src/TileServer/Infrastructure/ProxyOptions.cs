using System.Net;

namespace TileServer.Infrastructure;

/// <summary>
/// The <c>Proxy</c> configuration section: the server behind a reverse proxy (TLS termination, a public host name, a
/// path prefix). Off by default, so that a client cannot make the TileJSON name another host.
/// </summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>
    /// Honour <c>X-Forwarded-For</c>, <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c> and <c>X-Forwarded-Prefix</c>
    /// (one proxy deep), so that the TileJSON's tile URLs name the scheme, host and path clients reach the server by.
    /// </summary>
    public bool ForwardedHeaders { get; set; }

    /// <summary>IP addresses of the proxies whose headers count; empty: any sender (when only the proxy can reach the server).</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>
    /// The URL clients reach the server by (<c>https://mapas.example.gob.pe/pobreza</c>): when set, every absolute URL
    /// in an answer (the TileJSON's tiles, OGC API links, the OpenAPI server) starts with it, whatever the request's
    /// <c>Host</c> or forwarded headers; when not, URLs are built from the request and the answers say
    /// <c>Vary: Host</c>.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => $"Proxy:KnownProxies must hold IP addresses, got '{p}'.").ToList();
        if (PublicBaseUrl is not null
            && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Query.Length == 0 && url.Fragment.Length == 0 && url.UserInfo.Length == 0))
        {
            errors.Add($"Proxy:PublicBaseUrl must be an absolute http or https URL without query, fragment or user, such as https://maps.example.org/pobreza; got '{PublicBaseUrl}'.");
        }

        return errors;
    }
}
