using NetTopologySuite.Geometries;

namespace TileServer.Core.Ingest;

/// <summary>One polygon record as read from the source file, in WGS 84 lon/lat, valid.</summary>
/// <param name="RecordNumber">1-based record (shapefile) or feature (GeoJSON) number, for messages.</param>
public sealed record SourceFeature(int RecordNumber, Geometry Geometry, IReadOnlyDictionary<string, object?> Attributes);

/// <summary>
/// A polygon layer read from a shapefile or GeoJSON file, reprojected to WGS 84 and repaired.
/// Immutable once built.
/// </summary>
public sealed class SourceLayer
{
    public required string FilePath { get; init; }

    /// <summary>The file the attributes come from: the <c>.dbf</c> of a shapefile, the GeoJSON file itself. Attribute problems name it.</summary>
    public required string AttributesPath { get; init; }

    public required IReadOnlyList<SourceFeature> Features { get; init; }

    /// <summary>Attribute names in file order.</summary>
    public required IReadOnlyList<string> AttributeNames { get; init; }

    /// <summary>Name of the source coordinate reference system, as read from the <c>.prj</c> (or the GeoJSON default).</summary>
    public required string SourceCrs { get; init; }

    /// <summary>True when the source coordinates were transformed to WGS 84.</summary>
    public required bool Reprojected { get; init; }

    /// <summary>The attribute encoding used (shapefiles), or UTF-8 (GeoJSON).</summary>
    public required string Encoding { get; init; }

    /// <summary>Records whose polygon was invalid and was repaired (their record numbers).</summary>
    public required IReadOnlyList<int> RepairedRecords { get; init; }

    /// <summary>Non-fatal findings (a missing <c>.prj</c> or <c>.cpg</c>, records deleted or without geometry), one line each.</summary>
    public required IReadOnlyList<string> Warnings { get; init; }
}
