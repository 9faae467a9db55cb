using NetTopologySuite.Geometries;

namespace TileServer.Core.Targeting;

/// <summary>What a scope is made of.</summary>
public enum ScopeKind
{
    Country,
    Department,
    Province,

    /// <summary>The units whose label point lies in a polygonal area (its boundary included).</summary>
    Area,
}

/// <summary>
/// Where a targeting or allocation request looks: the whole country, one department or province by code, or the
/// units whose label point (<see cref="Model.LabelPoints"/>) lies inside a lon/lat Polygon or MultiPolygon (boundary
/// included). Immutable.
/// </summary>
public sealed record TargetingScope
{
    private TargetingScope(ScopeKind kind, string? code, Geometry? area, string? repair)
    {
        Kind = kind;
        Code = code;
        Area = area;
        Repair = repair;
    }

    public static TargetingScope Country { get; } = new(ScopeKind.Country, null, null, null);

    public ScopeKind Kind { get; }

    /// <summary>The department or province code.</summary>
    public string? Code { get; }

    /// <summary>The area (WGS 84 lon/lat) of an <see cref="ScopeKind.Area"/> scope.</summary>
    public Geometry? Area { get; }

    /// <summary>What was repaired in the area (self-intersecting rings), or null.</summary>
    public string? Repair { get; }

    public static TargetingScope Department(string code) => new(ScopeKind.Department, code ?? throw new ArgumentNullException(nameof(code)), null, null);

    public static TargetingScope Province(string code) => new(ScopeKind.Province, code ?? throw new ArgumentNullException(nameof(code)), null, null);

    /// <summary>The units whose label point lies in <paramref name="area"/>, a valid Polygon or MultiPolygon in lon/lat.</summary>
    /// <param name="repair">What was repaired in the area before, to report; null when nothing was.</param>
    public static TargetingScope Within(Geometry area, string? repair = null) =>
        area is Polygon or MultiPolygon
            ? new(ScopeKind.Area, null, area, repair)
            : throw new ArgumentException("a scope area must be a Polygon or MultiPolygon", nameof(area));
}
