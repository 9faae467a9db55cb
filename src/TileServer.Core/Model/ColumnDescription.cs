namespace TileServer.Core.Model;

/// <summary>
/// What an estimate column means, for people and for schemas: a title, its unit (UCUM-style, e.g. <c>%</c>,
/// <c>persons</c>) and a sentence on its source and meaning. Configured per column name; columns without one are
/// described by their name alone.
/// </summary>
public sealed class ColumnDescription
{
    public string Title { get; set; } = string.Empty;

    public string? Unit { get; set; }

    public string? Description { get; set; }
}
