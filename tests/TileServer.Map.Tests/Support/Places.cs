using NetTopologySuite.Algorithm.Construct;
using NetTopologySuite.Geometries;
using TileServer.Core.Model;

namespace TileServer.Map.Tests.Support;

/// <summary>Where on a unit a test looks or clicks.</summary>
public static class Places
{
    /// <summary>The centre of the largest circle inside the unit: far from its borders and (at the fit zoom) from anything drawn over it.</summary>
    public static Coordinate InteriorPoint(AdminUnit unit) =>
        new MaximumInscribedCircle(unit.Geometry, 1e-5).GetCenter().Coordinate;
}
