namespace TileServer.Core.Tiles;

/// <summary>
/// A uniform grid of vertices (about two per cell), for the triangle queries of the ranking: each cell's
/// coordinates are stored together, so a query reads memory in order; a removed vertex becomes NaN.
/// </summary>
internal sealed class VertexGrid
{
    private readonly double _minX;
    private readonly double _minY;
    private readonly double _cell = 1;
    private readonly int _rows = 1;
    private readonly int[] _entryOf;

    public VertexGrid(double[] x, double[] y, int[] ids)
    {
        var n = ids.Length;
        _entryOf = new int[x.Length];
        if (n == 0)
        {
            CellStart = [0, 0];
            EntryX = EntryY = [];
            return;
        }

        double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
        foreach (var v in ids)
        {
            minX = Math.Min(minX, x[v]);
            minY = Math.Min(minY, y[v]);
            maxX = Math.Max(maxX, x[v]);
            maxY = Math.Max(maxY, y[v]);
        }

        _minX = minX;
        _minY = minY;
        var width = Math.Max(maxX - minX, 1e-9);
        var height = Math.Max(maxY - minY, 1e-9);
        _cell = Math.Max(Math.Sqrt(width * height / Math.Max(n / 2.0, 1)), Math.Max(width, height) / 4096);
        Columns = (int)Math.Floor(width / _cell) + 1;
        _rows = (int)Math.Floor(height / _cell) + 1;
        CellStart = new int[(Columns * _rows) + 1];
        var cellOf = new int[n];
        for (var i = 0; i < n; i++)
        {
            cellOf[i] = (Row(y[ids[i]]) * Columns) + Column(x[ids[i]]);
            CellStart[cellOf[i] + 1]++;
        }

        for (var c = 0; c < Columns * _rows; c++)
        {
            CellStart[c + 1] += CellStart[c];
        }

        EntryX = new double[n];
        EntryY = new double[n];
        var fill = CellStart[..^1].ToArray();
        for (var i = 0; i < n; i++)
        {
            var entry = fill[cellOf[i]]++;
            EntryX[entry] = x[ids[i]];
            EntryY[entry] = y[ids[i]];
            _entryOf[ids[i]] = entry;
        }
    }

    public double[] EntryX { get; }

    public double[] EntryY { get; }

    public int Columns { get; } = 1;

    public int[] CellStart { get; }

    public void Remove(int vertex)
    {
        EntryX[_entryOf[vertex]] = double.NaN;
        EntryY[_entryOf[vertex]] = double.NaN;
    }

    public int Column(double x) => Math.Clamp((int)((x - _minX) / _cell), 0, Columns - 1);

    public int Row(double y) => Math.Clamp((int)((y - _minY) / _cell), 0, _rows - 1);
}
