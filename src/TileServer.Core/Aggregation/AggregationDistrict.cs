using NetTopologySuite.Geometries;

namespace TileServer.Core.Aggregation;

/// <summary>One district to aggregate over: its code, name and WGS 84 lon/lat Polygon or MultiPolygon. Column values
/// are passed to <see cref="DistrictAggregator.Build"/> separately, aligned with the district list.</summary>
public sealed record AggregationDistrict(string Code, string Name, Geometry Geometry);
