namespace TileServer.Metrics;

/// <summary>Configuration section <c>Metrics</c>: the Prometheus endpoint (<c>GET /metrics</c>), validated at start.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Serve <c>/metrics</c> and record the instruments. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Extra listen addresses, separated by <c>;</c> (e.g. <c>http://0.0.0.0:9464</c>), that serve <c>/metrics</c>
    /// (and <c>/health</c>) and nothing else, while the public addresses (<c>--urls</c>) stop serving <c>/metrics</c>:
    /// the metrics stay off the public port. Decided by the port the connection arrived on, never by the Host header.
    /// Empty (the default): <c>/metrics</c> is served on the public addresses.
    /// </summary>
    public string Urls { get; set; } = string.Empty;

    /// <summary>The <see cref="Urls"/>, parsed.</summary>
    public IReadOnlyList<Uri> ParsedUrls() =>
        [.. Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal)))];

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var normalised = url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(normalised, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp
                || uri.IsDefaultPort || uri.AbsolutePath != "/")
            {
                errors.Add($"Metrics:Urls must hold http://host:port addresses with an explicit port and no path, got '{url}'.");
            }
        }

        return errors;
    }
}
