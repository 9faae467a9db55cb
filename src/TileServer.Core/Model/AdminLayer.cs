namespace TileServer.Core.Model;

/// <summary>One administrative level: its columns and units, by code. Immutable; safe to read from any thread.</summary>
public sealed class AdminLayer
{
    public AdminLayer(AdminLevel level, IReadOnlyList<EstimateColumn> columns, IReadOnlyList<AdminUnit> units)
    {
        Level = level;
        Columns = columns;
        Units = units;
        ByCode = units.ToDictionary(u => u.Code, StringComparer.Ordinal);
    }

    public AdminLevel Level { get; }

    public IReadOnlyList<EstimateColumn> Columns { get; }

    /// <summary>Units sorted by code.</summary>
    public IReadOnlyList<AdminUnit> Units { get; }

    public IReadOnlyDictionary<string, AdminUnit> ByCode { get; }

    public AdminUnit? Find(string code) => ByCode.GetValueOrDefault(code);
}
