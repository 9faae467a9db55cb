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

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate() =>
        [.. KnownProxies.Where(p => !IPAddress.TryParse(p, out _)).Select(p => $"Proxy:KnownProxies must hold IP addresses, got '{p}'.")];
}
