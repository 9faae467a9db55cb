using Microsoft.AspNetCore.Http;

namespace TileServer.Testing;

/// <summary>
/// Kestrel's own request header dictionary, for allocation checks that must see what production sees: its type is
/// internal to Kestrel (made here by reflection), and its enumerator is a struct that <see cref="IHeaderDictionary"/>
/// boxes, unlike <see cref="HeaderDictionary"/>'s in <c>TestServer</c>. Linked into the API tests and the benchmarks.
/// </summary>
internal static class KestrelRequestHeaders
{
    private static readonly Type HeadersType = Type.GetType(
        "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http.HttpRequestHeaders, Microsoft.AspNetCore.Server.Kestrel.Core",
        throwOnError: true)!;

    /// <summary>A new dictionary holding <paramref name="lines"/> (<c>name: value</c>), added as Kestrel adds header
    /// lines: a repeated name becomes one more value of that header.</summary>
    public static IHeaderDictionary Create(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var headers = (IHeaderDictionary)Activator.CreateInstance(HeadersType, true, null)!;
        foreach (var line in lines)
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon];
            headers[name] = Microsoft.Extensions.Primitives.StringValues.Concat(headers[name], line[(colon + 1)..].Trim());
        }

        return headers;
    }
}
