namespace TileServer.Core.Tiles;

/// <summary>A tile being built: candidate units per level, clipped features, labels.</summary>
internal sealed class TileWork(int x, int y)
{
    public int X { get; } = x;

    public int Y { get; } = y;

    /// <summary>False while the tile only has candidates whose envelope reaches its buffer, not the tile itself.</summary>
    public bool HasCore { get; set; }

    public List<int>[] Candidates { get; } = [[], [], []];

    public List<(int Unit, uint[] Geometry)>[] Features { get; } = [[], [], []];

    public List<(int Level, int Unit, int X, int Y)> Labels { get; } = [];
}
