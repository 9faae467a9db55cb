namespace TileServer.Core.Model;

/// <summary>Whether a column holds numbers or text, decided from all of its non-empty values.</summary>
public enum ColumnKind
{
    Number,
    Text,
}

/// <summary>An estimates column: its name, type, and how many units (or rows) leave it empty.</summary>
public sealed record EstimateColumn(string Name, ColumnKind Kind, int MissingCount);
