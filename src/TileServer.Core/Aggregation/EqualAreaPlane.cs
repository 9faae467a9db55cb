using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Aggregation;

/// <summary>
/// Copies lon/lat geometries into the plane of <see cref="EqualAreaProjection"/> (metres), where the aggregation
/// intersects and measures them.
/// </summary>
/// <remarks>Thread safety: stateless; each call works on its own copy.</remarks>
internal static class EqualAreaPlane
{
    /// <summary>A projected copy of <paramref name="lonLat"/>.</summary>
    public static Geometry Project(Geometry lonLat) => ProjectedCopy.Of(lonLat, EqualAreaProjection.X, EqualAreaProjection.Y);
}
