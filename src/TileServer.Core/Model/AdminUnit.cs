using NetTopologySuite.Geometries;

namespace TileServer.Core.Model;

/// <summary>
/// A district, province or department: code, name, parents, geometry (WGS 84 lon/lat) and estimate values aligned
/// with its layer's <see cref="AdminLayer.Columns"/>. Immutable.
/// </summary>
public sealed class AdminUnit
{
    public required AdminLevel Level { get; init; }

    public required string Code { get; init; }

    public required string Name { get; init; }

    /// <summary>Province code (districts only).</summary>
    public string? ProvinceCode { get; init; }

    /// <summary>Department code (districts and provinces).</summary>
    public string? DepartmentCode { get; init; }

    /// <summary>The served geometry: for districts the cleaned one when the coverage is cleaned at load.</summary>
    public required Geometry Geometry { get; init; }

    /// <summary>The geometry as published in the source layer (districts); for dissolved levels, the same as <see cref="Geometry"/>.</summary>
    public required Geometry SourceGeometry { get; init; }

    /// <summary>Values aligned with the layer's columns: <see cref="double"/>, <see cref="string"/> or null (missing).</summary>
    public required IReadOnlyList<object?> Values { get; init; }

    /// <summary>True when an estimates row matched (districts), or some district had estimates (other levels).</summary>
    public required bool HasEstimates { get; init; }

    /// <summary>Ellipsoidal area in km2.</summary>
    public required double AreaKm2 { get; init; }

    /// <summary>The polygon layer's own attributes (districts; empty for dissolved levels).</summary>
    public IReadOnlyDictionary<string, object?> Attributes { get; init; } = EmptyAttributes;

    private static readonly IReadOnlyDictionary<string, object?> EmptyAttributes = new Dictionary<string, object?>();
}
