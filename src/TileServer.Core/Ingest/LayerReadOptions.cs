namespace TileServer.Core.Ingest;

/// <summary>How to read a polygon layer.</summary>
public sealed record LayerReadOptions
{
    /// <summary>
    /// Attribute encoding of a shapefile that has no <c>.cpg</c>: a .NET encoding name or Windows code page
    /// (ISO-8859-1 by default, GDAL's assumption for a <c>.dbf</c> without a declared code page).
    /// </summary>
    public string DefaultShapefileEncoding { get; init; } = "ISO-8859-1";
}
