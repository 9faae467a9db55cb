namespace TileServer.Core.Index;

/// <summary>How a point was matched to a district.</summary>
public enum LookupMatch : byte
{
    /// <summary>No district within the snap distance.</summary>
    None,

    /// <summary>The point lies in the district's interior.</summary>
    Inside,

    /// <summary>The point lies exactly on a district border; the half-open rule picked this district.</summary>
    Boundary,

    /// <summary>The point lies outside every district; this is the nearest one within the snap distance.</summary>
    Nearest,
}

/// <summary>The answer of <see cref="DistrictLocator.Locate"/>: a district index (into the snapshot's district
/// units), how it matched, and the geodesic distance in metres (0 unless <see cref="LookupMatch.Nearest"/>).</summary>
public readonly record struct DistrictMatch(int District, LookupMatch Match, double DistanceMetres)
{
    public static readonly DistrictMatch NotFound = new(-1, LookupMatch.None, 0);

    public bool Found => District >= 0;
}
