using System.IO.Compression;

namespace TileServer.Core.Tiles;

/// <summary>Encodes a finished tile (MVT, then gzip) with one pipeline worker's reusable buffers.</summary>
internal sealed class TileEncoder
{
    private readonly ProtoBuffer _tile = new();
    private readonly ProtoBuffer _scratch = new();
    private readonly MvtLayerWriter _layer = new();
    private readonly GeometryCommands _point = new();

    public EncodedTile? Encode(TileWork tile, TileLevel[] levels, int[] active, TilesOptions options)
    {
        _tile.Clear();
        foreach (var l in active)
        {
            if (tile.Features[l].Count == 0)
            {
                continue;
            }

            _layer.Reset();
            var level = levels[l];
            foreach (var (unit, geometry) in tile.Features[l])
            {
                _layer.AddFeature(level.Ids[unit], level.Properties[unit], MvtGeometryType.Polygon, geometry);
            }

            _layer.WriteTo(_tile, _scratch, level.LayerName, level.Keys, options.Extent);
        }

        if (tile.Labels.Count > 0)
        {
            _layer.Reset();
            foreach (var (l, unit, x, y) in tile.Labels)
            {
                _point.Reset();
                _point.AddPoint(x, y);
                _layer.AddFeature(null, levels[l].LabelProperties[unit], MvtGeometryType.Point, _point.Written);
            }

            _layer.WriteTo(_tile, _scratch, TileLevel.LabelsLayerName, TileLevel.LabelKeys, options.Extent);
        }

        if (_tile.Length == 0)
        {
            return null;
        }

        var mvt = _tile.Written.ToArray();
        using var compressed = new MemoryStream(mvt.Length / 2 + 64);
        using (var gzip = new GZipStream(compressed, options.GzipLevel, leaveOpen: true))
        {
            gzip.Write(mvt);
        }

        return new EncodedTile(mvt, compressed.ToArray());
    }
}
