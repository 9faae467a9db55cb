namespace TileServer.Core.Model;

/// <summary>One administrative level: its columns and units, by code. Immutable; safe to read from any thread.</summary>
public sealed class AdminLayer
{
    private readonly Dictionary<string, int> _indexByCode;

    public AdminLayer(AdminLevel level, IReadOnlyList<EstimateColumn> columns, IReadOnlyList<AdminUnit> units)
    {
        Level = level;
        Columns = columns;
        Units = units;
        ByCode = units.ToDictionary(u => u.Code, StringComparer.Ordinal);
        _indexByCode = units.Select((u, i) => (u.Code, i)).ToDictionary(p => p.Code, p => p.i, StringComparer.Ordinal);
    }

    public AdminLevel Level { get; }

    public IReadOnlyList<EstimateColumn> Columns { get; }

    /// <summary>Units sorted by code.</summary>
    public IReadOnlyList<AdminUnit> Units { get; }

    public IReadOnlyDictionary<string, AdminUnit> ByCode { get; }

    public AdminUnit? Find(string code) => ByCode.GetValueOrDefault(code);

    /// <summary>The index in <see cref="Units"/> of the unit coded <paramref name="code"/>, or -1.</summary>
    public int IndexOf(string code) => _indexByCode.GetValueOrDefault(code, -1);

    /// <summary>The index of the column named <paramref name="name"/> (case-insensitive), or -1. Dissolved levels keep
    /// only the numeric columns, so a column's index differs between levels: look it up by name in each.</summary>
    public int ColumnIndex(string name)
    {
        for (var c = 0; c < Columns.Count; c++)
        {
            if (string.Equals(Columns[c].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The numeric value of column <paramref name="column"/> for unit <paramref name="unit"/>, null when missing or the column is -1.</summary>
    public double? Number(int unit, int column) => column < 0 ? null : Units[unit].Values[column] as double?;
}
