using TileServer.Core.Model;

namespace TileServer.Core.Join;

/// <summary>One estimates row. <see cref="Values"/> is aligned with <see cref="EstimatesTable.Columns"/>:
/// each value is a <see cref="double"/>, a <see cref="string"/>, or null for an empty cell (missing, never zero).</summary>
public sealed record EstimateRow(string Key, int LineNumber, IReadOnlyList<object?> Values);

/// <summary>
/// Estimates read from a CSV, keyed by normalised district code. Immutable once built; safe to read from any thread.
/// </summary>
public sealed class EstimatesTable
{
    public required string FilePath { get; init; }

    /// <summary>Name of the key column in the file.</summary>
    public required string KeyColumn { get; init; }

    /// <summary>Every column but the key, in file order.</summary>
    public required IReadOnlyList<EstimateColumn> Columns { get; init; }

    /// <summary>Rows in file order.</summary>
    public required IReadOnlyList<EstimateRow> Rows { get; init; }

    /// <summary>Rows by normalised key.</summary>
    public required IReadOnlyDictionary<string, EstimateRow> ByKey { get; init; }

    /// <summary>Index of <paramref name="name"/> in <see cref="Columns"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
