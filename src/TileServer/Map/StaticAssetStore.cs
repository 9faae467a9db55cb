using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.StaticFiles;
using TileServer.Core.Storage;
using TileServer.Tiles;

namespace TileServer.Map;

/// <summary>
/// The web map's files (the page's scripts and styles, MapLibre's ES-module build under <c>lib/</c>, the glyph
/// ranges under <c>fonts/</c>), read from the <c>wwwroot</c> folder beside the server, each held in memory with a
/// strong ETag (a hash of its bytes) and a gzip copy made on its first request.
/// </summary>
/// <remarks>
/// Why not the static-files middleware: the glyph URLs need validation with problem+json answers, MapLibre's
/// 1.1 MB module should go compressed (a third of its size) without compressing it again per request, and every
/// answer should carry one cache policy. The set of files is fixed at start; a file is read on its first request.
/// Thread safety: safe for concurrent requests (each entry is a <see cref="Lazy{T}"/>).
/// </remarks>
public sealed class StaticAssetStore
{
    /// <summary>The page template: served by the map endpoints with the landing page filled in, never as a file.</summary>
    public const string PageTemplate = "page.html";

    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    private readonly FrozenDictionary<string, Lazy<StaticAsset>> _assets;

    public StaticAssetStore(string root)
    {
        Root = root;
        var assets = new Dictionary<string, Lazy<StaticAsset>>(StringComparer.Ordinal);
        if (Directory.Exists(root))
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                var path = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
                if (path != PageTemplate && ContentTypes.TryGetContentType(file, out var contentType))
                {
                    assets[path] = new Lazy<StaticAsset>(() => StaticAsset.Read(file, contentType), LazyThreadSafetyMode.ExecutionAndPublication);
                }
            }
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The folder the files come from.</summary>
    public string Root { get; }

    /// <summary>The asset at <paramref name="path"/> (relative to <see cref="Root"/>, '/'-separated), or null.</summary>
    public StaticAsset? Find(string path) => _assets.TryGetValue(path, out var asset) ? asset.Value : null;

    /// <summary>True when a file exists at <paramref name="path"/> (without reading it).</summary>
    public bool Contains(string path) => _assets.ContainsKey(path);

    /// <summary>The relative paths of every file under <paramref name="folder"/>.</summary>
    public IEnumerable<string> Under(string folder) => _assets.Keys.Where(k => k.StartsWith(folder + "/", StringComparison.Ordinal));

    /// <summary>The result that writes <paramref name="asset"/> with <paramref name="cacheControl"/>, varying on
    /// <paramref name="vary"/> (<c>Accept-Encoding</c> by default: the gzip copy).</summary>
    public static StaticAssetResult Serve(StaticAsset asset, string cacheControl, string vary = "Accept-Encoding") => new(asset, cacheControl, vary);

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".pbf"] = "application/x-protobuf";
        provider.Mappings[".mjs"] = "text/javascript";
        return provider;
    }
}

/// <summary>
/// Writes a <see cref="StaticAsset"/>: 304 when <c>If-None-Match</c> holds its ETag, the gzip copy when the client
/// accepts gzip, and the headers alone for HEAD.
/// </summary>
public sealed class StaticAssetResult(StaticAsset asset, string cacheControl, string vary) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var gzip = TileEndpoints.AcceptsGzip(request.Headers.AcceptEncoding);
        var etag = gzip ? asset.GzipETag : asset.ETag;
        response.Headers.CacheControl = cacheControl;
        response.Headers.Vary = vary;
        response.Headers.ETag = etag;
        if (TileEndpoints.Matches(request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var bytes = gzip ? asset.Gzip : asset.Bytes;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        if (gzip)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }
}

/// <summary>One file of the <see cref="StaticAssetStore"/>: its bytes, content type, ETag, and a gzip copy.</summary>
public sealed class StaticAsset
{
    private readonly Lazy<byte[]> _gzip;

    private StaticAsset(byte[] bytes, string contentType)
    {
        Bytes = bytes;
        ContentType = contentType;
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        ETag = $"\"{hash}\"";
        GzipETag = $"\"{hash}-gzip\"";
        _gzip = new Lazy<byte[]>(() => TileCompression.Gzip(bytes), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public byte[] Bytes { get; }

    public string ContentType { get; }

    public string ETag { get; }

    /// <summary>The ETag of the gzip representation (a different representation of the same URL).</summary>
    public string GzipETag { get; }

    public byte[] Gzip => _gzip.Value;

    /// <summary>An asset made in memory (a generated document).</summary>
    public static StaticAsset From(byte[] bytes, string contentType) => new(bytes, contentType);

    internal static StaticAsset Read(string file, string contentType) => new(File.ReadAllBytes(file), contentType);
}
