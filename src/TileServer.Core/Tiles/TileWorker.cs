namespace TileServer.Core.Tiles;

/// <summary>One pipeline worker's clipping and encoding buffers.</summary>
internal sealed class TileWorker
{
    public PolygonTileClipper Clipper { get; } = new();

    public GeometryCommands Commands { get; } = new();

    public TileEncoder Encoder { get; } = new();
}
