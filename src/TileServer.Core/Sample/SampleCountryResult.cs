namespace TileServer.Core.Sample;

/// <summary>What <see cref="SampleCountryGenerator.Generate"/> wrote.</summary>
/// <param name="ShapefilePath">Full path of districts.shp (with .shx, .dbf, .prj and .cpg beside it).</param>
/// <param name="EstimatesPath">Full path of estimates.csv.</param>
/// <param name="DistrictCount">Districts (shapefile records and CSV rows).</param>
/// <param name="ProvinceCount">Provinces (distinct 4-digit code prefixes).</param>
/// <param name="DepartmentCount">Departments (distinct 2-digit code prefixes).</param>
/// <param name="LakeCount">Holes in the union of all districts (lakes that belong to no district).</param>
/// <param name="DistrictHoleCount">Interior rings in district polygons (around enclaved districts).</param>
/// <param name="MultiPolygonCount">Districts made of more than one polygon (they own islands).</param>
/// <param name="IslandCount">Islands off the coast, each an extra part of its nearest coastal district.</param>
/// <param name="MissingEstimateCells">Empty value cells in the CSV (estimates missing on purpose).</param>
public sealed record SampleCountryResult(
    string ShapefilePath,
    string EstimatesPath,
    int DistrictCount,
    int ProvinceCount,
    int DepartmentCount,
    int LakeCount,
    int DistrictHoleCount,
    int MultiPolygonCount,
    int IslandCount,
    int MissingEstimateCells);
