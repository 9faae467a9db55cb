using NetTopologySuite.Geometries;

namespace TileServer.Core.Tiles;

/// <summary>
/// Everything done at one zoom: candidates, clipping, tiny units, labels, encoding; either for the whole zoom at
/// once (load time), or tile by tile on request (<see cref="PrepareOnDemand"/>, <see cref="BuildOne"/>).
/// </summary>
internal sealed class ZoomBuild
{
    private const int EmittedStatus = 1;
    private const int VanishedStatus = 2;
    private readonly int _zoom;
    private readonly TilesOptions _options;
    private readonly TileLevel[] _levels;
    private readonly Geometry[]?[] _geometries;
    private readonly Dictionary<long, TileWork> _tiles = [];
    private readonly bool[][] _emitted;
    private readonly double _size;
    private Dictionary<long, List<(int Level, int Unit, int X, int Y)>>? _onDemandLabels;
    private (int X0, int Y0, int X1, int Y1)[][]? _unitTiles;
    private int[][]? _unitStatus;

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
        var key = Key(x, y);
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
        foreach (var l in Active)
        {
            for (var u = 0; u < _emitted[l].Length; u++)
            {
                if (_emitted[l][u])
                {
                    continue;
                }

                var (tile, px, py) = Locate(_levels[l].Anchor(u));
                AddSquare(tile, l, u, px, py, commands);
                kept++;
            }
        }

        return kept;
    }

    private void AddSquare(TileWork tile, int level, int unit, int px, int py, GeometryCommands commands)
    {
        Span<int> square = stackalloc int[8];
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
        tile.Features[level].Add((unit, commands.Written.ToArray()));
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

    /// <summary>
    /// Prepares building single tiles (<see cref="BuildOne"/>) instead of the whole zoom: places the label points by
    /// tile, and finds the tiles each unit's envelope covers (where its anchor point can be).
    /// </summary>
    public void PrepareOnDemand()
    {
        _onDemandLabels = [];
        _unitTiles = new (int X0, int Y0, int X1, int Y1)[_levels.Length][];
        _unitStatus = new int[_levels.Length][];
        foreach (var l in Active)
        {
            if (_options.Labels)
            {
                for (var u = 0; u < _levels[l].LabelCount; u++)
                {
                    var (x, y, px, py) = Position(_levels[l].Label(u));
                    var key = Key(x, y);
                    if (!_onDemandLabels.TryGetValue(key, out var labels))
                    {
                        labels = _onDemandLabels[key] = [];
                    }

                    labels.Add((l, u, px, py));
                }
            }

            var units = _levels[l].Layer.Units;
            _unitTiles[l] = new (int, int, int, int)[units.Count];
            _unitStatus[l] = new int[units.Count];
            for (var u = 0; u < units.Count; u++)
            {
                // The anchor lies inside the unit, so its tile is among those of the unit's envelope (projected
                // corner by corner: Web Mercator is monotonic in longitude and latitude); an empty unit's is (0, 0).
                var envelope = units[u].Geometry.EnvelopeInternal;
                if (envelope.IsNull)
                {
                    var (x, y, _, _) = Position(_levels[l].Anchor(u));
                    _unitTiles[l][u] = (x, y, x, y);
                }
                else
                {
                    _unitTiles[l][u] = Range(new Envelope(WebMercator.X(envelope.MinX), WebMercator.X(envelope.MaxX), WebMercator.Y(envelope.MinY), WebMercator.Y(envelope.MaxY)), 0);
                }
            }
        }
    }

    /// <summary>
    /// Every tile of the zoom that may have features: those with a unit in them, a label point or an anchor point.
    /// <see cref="BuildOne"/> tells which of them do.
    /// </summary>
    public IEnumerable<(int X, int Y)> PossibleTiles()
    {
        var keys = new HashSet<long>(_tiles.Where(t => t.Value.HasCore).Select(t => t.Key));
        keys.UnionWith(_onDemandLabels!.Keys);
        foreach (var l in Active)
        {
            for (var u = 0; u < _unitTiles![l].Length; u++)
            {
                var (x, y, _, _) = Position(_levels[l].Anchor(u));
                keys.Add(Key(x, y));
            }
        }

        return keys.Select(key => ((int)(key >> 32), (int)(uint)key));
    }

    /// <summary>
    /// One tile of the zoom (after <see cref="PrepareOnDemand"/>), the same bytes as the whole zoom's build gives it:
    /// its units clipped, the units whose anchor point it holds and that vanished from every tile as squares, its
    /// label points; null when it has none. Safe from several threads at once, each with its own worker.
    /// </summary>
    public EncodedTile? BuildOne(int x, int y, TileWorker worker)
    {
        var tile = new TileWork(x, y);
        if (_tiles.TryGetValue(Key(x, y), out var indexed) && indexed.HasCore)
        {
            worker.Clipper.SetTile(_zoom, x, y, _options.Extent, _options.Buffer);
            foreach (var l in Active)
            {
                foreach (var u in indexed.Candidates[l])
                {
                    worker.Commands.Reset();
                    if (worker.Clipper.Clip(_geometries[l]![u], worker.Commands) > 0)
                    {
                        tile.Features[l].Add((u, worker.Commands.Written.ToArray()));
                    }
                }
            }
        }

        foreach (var l in Active)
        {
            var clipped = tile.Features[l].Count;
            for (var u = 0; u < _unitTiles![l].Length; u++)
            {
                var (x0, y0, x1, y1) = _unitTiles[l][u];
                if (x < x0 || x > x1 || y < y0 || y > y1)
                {
                    continue;
                }

                var (ax, ay, px, py) = Position(_levels[l].Anchor(u));
                if (ax == x && ay == y && !tile.Features[l].Take(clipped).Any(f => f.Unit == u) && Vanished(l, u, worker))
                {
                    AddSquare(tile, l, u, px, py, worker.Commands);
                }
            }
        }

        if (_onDemandLabels!.TryGetValue(Key(x, y), out var labels))
        {
            tile.Labels.AddRange(labels);
        }

        return worker.Encoder.Encode(tile, _levels, Active, _options);
    }

    /// <summary>
    /// True when the unit is clipped to nothing in every tile its parts' envelopes reach that the whole zoom's build
    /// clips (those with a unit in them): the tiny-unit rule of <see cref="KeepCollapsedUnits"/>. Remembered per unit.
    /// </summary>
    private bool Vanished(int level, int unit, TileWorker worker)
    {
        var known = Volatile.Read(ref _unitStatus![level][unit]);
        if (known != 0)
        {
            return known == VanishedStatus;
        }

        var geometry = _geometries[level]![unit];
        var buffer = _options.Buffer * _size / _options.Extent;
        var vanished = true;
        for (var p = 0; p < geometry.NumGeometries && vanished; p++)
        {
            var envelope = geometry.GetGeometryN(p).EnvelopeInternal;
            if (envelope.IsNull)
            {
                continue;
            }

            var (x0, y0, x1, y1) = Range(envelope, buffer);
            for (var x = x0; x <= x1 && vanished; x++)
            {
                for (var y = y0; y <= y1 && vanished; y++)
                {
                    if (_tiles.TryGetValue(Key(x, y), out var tile) && tile.HasCore)
                    {
                        worker.Clipper.SetTile(_zoom, x, y, _options.Extent, _options.Buffer);
                        worker.Commands.Reset();
                        vanished = worker.Clipper.Clip(geometry, worker.Commands) == 0;
                    }
                }
            }
        }

        Volatile.Write(ref _unitStatus[level][unit], vanished ? VanishedStatus : EmittedStatus);
        return vanished;
    }

    private (TileWork Tile, int X, int Y) Locate((double X, double Y) point)
    {
        var (x, y, px, py) = Position(point);
        var tile = Tile(x, y);
        tile.HasCore = true;
        return (tile, px, py);
    }

    /// <summary>The tile holding a point in Web Mercator metres, and the point's position in it (extent units).</summary>
    private (int TileX, int TileY, int X, int Y) Position((double X, double Y) point)
    {
        var (mx, my) = point;
        var n = (1 << _zoom) - 1;
        var x = Math.Clamp((int)Math.Floor((mx + WebMercator.HalfWorld) / _size), 0, n);
        var y = Math.Clamp((int)Math.Floor((WebMercator.HalfWorld - my) / _size), 0, n);
        var scale = _options.Extent / _size;
        var px = (int)Math.Floor((mx - WebMercator.TileWest(_zoom, x)) * scale);
        var py = (int)Math.Floor((WebMercator.TileNorth(_zoom, y) - my) * scale);
        return (x, y, Math.Clamp(px, 0, _options.Extent), Math.Clamp(py, 0, _options.Extent));
    }

    private static long Key(int x, int y) => ((long)x << 32) | (uint)y;
}
