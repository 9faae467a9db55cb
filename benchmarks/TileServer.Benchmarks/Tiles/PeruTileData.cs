using TileServer.Benchmarks.Aggregation;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Benchmarks.Tiles;

/// <summary>The Peru snapshot (cleaned coverage, dissolved levels) without tiles, and the tile options of each run.</summary>
internal static class PeruTileData
{
    public static DatasetSnapshot Load() => PeruAggregationData.Load();

    /// <summary>The served tileset: three layers and labels, z0-z12, every attribute, every zoom built at once (as export-tiles needs it).</summary>
    public static TilesOptions Full() => new() { PrebuildMaxZoom = 12 };

    /// <summary>
    /// The anchor's workload: the districts layer alone, z0-z10, geometry and feature id, every district kept at
    /// every zoom (PostGIS side by side, same content: benchmarks/tiles-postgis/compare.sh).
    /// </summary>
    public static TilesOptions DistrictsOnly() => new()
    {
        MaxZoom = 10,
        Labels = false,
        Attributes = false,
        Departments = { Enabled = false },
        Provinces = { Enabled = false },
        Districts = { MinZoom = 0 },
    };

    public static Tileset Build(DatasetSnapshot snapshot, TilesOptions options) =>
        TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, snapshot.Districts, snapshot.Parents, snapshot.LabelPoints, snapshot.Topology, snapshot.Version, options);
}
