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
    public static Geometry Project(Geometry lonLat)
    {
        var copy = lonLat.Copy();
        copy.Apply(ProjectFilter.Instance);
        copy.GeometryChanged();
        return copy;
    }

    private sealed class ProjectFilter : IEntireCoordinateSequenceFilter
    {
        public static readonly ProjectFilter Instance = new();

        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                seq.SetX(i, EqualAreaProjection.X(seq.GetX(i)));
                seq.SetY(i, EqualAreaProjection.Y(seq.GetY(i)));
            }
        }
    }
}
