using NetTopologySuite.Geometries;

namespace TileServer.Core.Tiles;

/// <summary>Everything done at one zoom: candidates, clipping, tiny units, labels, encoding.</summary>
internal sealed class ZoomBuild
{
    private readonly int _zoom;
    private readonly TilesOptions _options;
    private readonly TileLevel[] _levels;
    private readonly Geometry[]?[] _geometries;
    private readonly Dictionary<long, TileWork> _tiles = [];
    private readonly bool[][] _emitted;
    private readonly double _size;

    public ZoomBuild(int zoom, TilesOptions options, TileLevel[] levels, Geometry[]?[] geometries, int[] active)
    {
        _zoom = zoom;
        _options = options;
        _levels = levels;
        _geometries = geometries;
        Active = active;
        _size = WebMercator.TileSize(zoom);
        _emitted = [.. levels.Select(l => new bool[l.Layer.Units.Count])];
        var buffer = options.Buffer * _size / options.Extent;
        foreach (var l in active)
        {
            var units = geometries[l]!;
            for (var u = 0; u < units.Length; u++)
            {
                for (var p = 0; p < units[u].NumGeometries; p++)
                {
                    var envelope = units[u].GetGeometryN(p).EnvelopeInternal;
                    if (envelope.IsNull)
                    {
                        continue;
                    }

                    var (x0, y0, x1, y1) = Range(envelope, buffer);
                    var (cx0, cy0, cx1, cy1) = Range(envelope, 0);
                    for (var x = x0; x <= x1; x++)
                    {
                        for (var y = y0; y <= y1; y++)
                        {
                            var tile = Tile(x, y);
                            var list = tile.Candidates[l];
                            if (list.Count == 0 || list[^1] != u)
                            {
                                list.Add(u);
                            }

                            tile.HasCore |= x >= cx0 && x <= cx1 && y >= cy0 && y <= cy1;
                        }
                    }
                }
            }
        }

        Work = [.. _tiles.Values.Where(t => t.HasCore)];
    }

    public int Zoom => _zoom;

    public int[] Active { get; }

    /// <summary>The tiles that have something in them (not only in their buffer); set once candidates are known.</summary>
    public TileWork[] Work { get; private set; } = [];

    private (int X0, int Y0, int X1, int Y1) Range(Envelope envelope, double margin)
    {
        var n = (1 << _zoom) - 1;
        return (
            Math.Clamp((int)Math.Floor((envelope.MinX - margin + WebMercator.HalfWorld) / _size), 0, n),
            Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - envelope.MaxY - margin) / _size), 0, n),
            Math.Clamp((int)Math.Floor((envelope.MaxX + margin + WebMercator.HalfWorld) / _size), 0, n),
            Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - envelope.MinY + margin) / _size), 0, n));
    }

    private TileWork Tile(int x, int y)
    {
        var key = ((long)x << 32) | (uint)y;
        if (!_tiles.TryGetValue(key, out var tile))
        {
            tile = _tiles[key] = new TileWork(x, y);
        }

        return tile;
    }

    public void Clip(TileWork tile, PolygonTileClipper clipper, GeometryCommands commands)
    {
        clipper.SetTile(_zoom, tile.X, tile.Y, _options.Extent, _options.Buffer);
        foreach (var l in Active)
        {
            tile.Features[l].Capacity = tile.Candidates[l].Count;
            foreach (var u in tile.Candidates[l])
            {
                commands.Reset();
                if (clipper.Clip(_geometries[l]![u], commands) > 0)
                {
                    tile.Features[l].Add((u, commands.Written.ToArray()));
                    _emitted[l][u] = true;
                }
            }
        }
    }

    /// <summary>The tiny-unit rule: a unit that vanished from every tile is kept as a one-unit square at its anchor point.</summary>
    public int KeepCollapsedUnits()
    {
        var kept = 0;
        var commands = new GeometryCommands();
        Span<int> square = stackalloc int[8];
        foreach (var l in Active)
        {
            for (var u = 0; u < _emitted[l].Length; u++)
            {
                if (_emitted[l][u])
                {
                    continue;
                }

                var (tile, px, py) = Locate(_levels[l].Anchor(u));
                px = Math.Min(px, _options.Extent - 1);
                py = Math.Min(py, _options.Extent - 1);
                square[0] = px;
                square[1] = py;
                square[2] = px + 1;
                square[3] = py;
                square[4] = px + 1;
                square[5] = py + 1;
                square[6] = px;
                square[7] = py + 1;
                commands.Reset();
                commands.AddRing(square);
                tile.Features[l].Add((u, commands.Written.ToArray()));
                kept++;
            }
        }

        return kept;
    }

    /// <summary>Places the label points (when on), then takes in the tiles that labels and collapsed units added.</summary>
    public void PlaceLabels()
    {
        if (_options.Labels)
        {
            foreach (var l in Active)
            {
                for (var u = 0; u < _levels[l].LabelCount; u++)
                {
                    var (tile, px, py) = Locate(_levels[l].Label(u));
                    tile.Labels.Add((l, u, px, py));
                }
            }
        }

        Work = [.. _tiles.Values.Where(t => t.HasCore)];
    }

    private (TileWork Tile, int X, int Y) Locate((double X, double Y) point)
    {
        var (mx, my) = point;
        var n = (1 << _zoom) - 1;
        var x = Math.Clamp((int)Math.Floor((mx + WebMercator.HalfWorld) / _size), 0, n);
        var y = Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - my) / _size), 0, n);
        var tile = Tile(x, y);
        tile.HasCore = true;
        var scale = _options.Extent / _size;
        var px = (int)Math.Floor((mx - WebMercator.TileWest(_zoom, x)) * scale);
        var py = (int)Math.Floor((WebMercator.TileNorth(_zoom, y) - my) * scale);
        return (tile, Math.Clamp(px, 0, _options.Extent), Math.Clamp(py, 0, _options.Extent));
    }
}
