using NetTopologySuite.Geometries;

namespace TileServer.Core.Features;

/// <summary>The geometry factory of filter literals and query boxes: floating precision, SRID 4326 (lon/lat, CRS84 axis order).</summary>
public static class FeatureGeometry
{
    public static GeometryFactory Factory { get; } = new(new PrecisionModel(), 4326);
}
