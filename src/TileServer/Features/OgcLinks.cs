using System.Text;
using TileServer.Core.Features;
using TileServer.Infrastructure;

namespace TileServer.Features;

/// <summary>Absolute links of the OGC API door, from the public base URL (<see cref="PublicUrls"/>: configured, or the request's scheme, host and path base).</summary>
public sealed class OgcLinks(HttpRequest request)
{
    public string Base { get; } = request.HttpContext.RequestServices.GetRequiredService<PublicUrls>().Base(request);

    public string Url(string path) => Base + path;

    /// <summary>The request's own path with its query, <paramref name="changes"/> applied (a null value removes a parameter).</summary>
    public string Self(params (string Name, string? Value)[] changes) => WithQuery(request.Path.Value ?? "/", changes);

    /// <summary><paramref name="path"/> with the request's query, <paramref name="changes"/> applied.</summary>
    public string WithQuery(string path, params (string Name, string? Value)[] changes)
    {
        var parameters = request.Query.SelectMany(q => q.Value.Select(v => (q.Key, Value: v ?? ""))).ToList();
        foreach (var (name, value) in changes)
        {
            parameters.RemoveAll(p => p.Key == name);
            if (value is not null)
            {
                parameters.Add((name, value));
            }
        }

        var url = new StringBuilder(Base).Append(path);
        for (var i = 0; i < parameters.Count; i++)
        {
            url.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(parameters[i].Key)).Append('=').Append(Uri.EscapeDataString(parameters[i].Value));
        }

        return url.ToString();
    }

    /// <summary>The TileJSON link of the <c>poverty</c> tileset.</summary>
    public FeatureLink TileJson() => new(Url("/tiles/poverty.json"), "tiles", OgcFormats.Json, "Vector tiles of the three levels (TileJSON 3.0.0)");
}
