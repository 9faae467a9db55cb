namespace TileServer.Core.Ingest;

/// <summary>How to read a polygon layer.</summary>
public sealed record LayerReadOptions
{
    /// <summary>
    /// Attribute encoding of a shapefile that has no <c>.cpg</c>: a .NET encoding name or Windows code page
    /// (ISO-8859-1 by default, GDAL's assumption for a <c>.dbf</c> without a declared code page).
    /// </summary>
    public string DefaultShapefileEncoding { get; init; } = "ISO-8859-1";

    /// <summary>Bounds on file sizes and vertices.</summary>
    public LoadLimits Limits { get; init; } = new();
}

/// <summary>
/// The files of one shapefile, already read into memory (<see cref="PolygonLayerReader.ReadShapefile"/>): the paths
/// name the files in messages. <see cref="Prj"/> and <see cref="Cpg"/> are null when the file is absent.
/// </summary>
public sealed record ShapefileSet(
    string ShpPath, ReadOnlyMemory<byte> Shp,
    string ShxPath, ReadOnlyMemory<byte> Shx,
    string DbfPath, ReadOnlyMemory<byte> Dbf,
    string PrjPath, ReadOnlyMemory<byte>? Prj,
    string CpgPath, ReadOnlyMemory<byte>? Cpg);
