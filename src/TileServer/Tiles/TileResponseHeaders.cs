using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Tiles;

/// <summary>
/// Header values shared by every tile of one served dataset, built with it. The ETag is strong: it names the dataset
/// version, which covers the inputs and every option that changes a tile, or the archive's content hash when the tiles
/// come from a <c>Tiles:Source</c> file; and the encoding, since gzip and raw bytes are different representations. The
/// URL names the tile.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
/// <param name="Version">The tileset version: in the ETag and in the TileJSON's versioned tile URLs.</param>
/// <param name="CacheControl"><c>Tiles:CacheControl</c>, for the unversioned tile URLs and the TileJSON.</param>
internal sealed record TileResponseHeaders(string Version, string RawETag, string GzipETag, string CacheControl)
{
    /// <summary>
    /// <c>Cache-Control</c> of a versioned tile URL: its bytes never change (a new dataset or archive has a new
    /// version, hence new URLs), so browsers and CDNs keep it for a year (the longest RFC 9111 advises) without
    /// revalidating (<c>immutable</c>, RFC 8246).
    /// </summary>
    public const string ImmutableCacheControl = "public, max-age=31536000, immutable";

    public static TileResponseHeaders For(DatasetSnapshot snapshot, TilesOptions options)
    {
        var version = snapshot.TilesVersion ?? snapshot.Version;
        return new TileResponseHeaders(version, $"\"{version}\"", $"\"{version}-gzip\"", options.CacheControl);
    }
}
