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
internal sealed record TileResponseHeaders(string RawETag, string GzipETag, string CacheControl)
{
    public static TileResponseHeaders For(DatasetSnapshot snapshot, TilesOptions options)
    {
        var version = snapshot.TilesVersion ?? snapshot.Version;
        return new TileResponseHeaders($"\"{version}\"", $"\"{version}-gzip\"", options.CacheControl);
    }
}
