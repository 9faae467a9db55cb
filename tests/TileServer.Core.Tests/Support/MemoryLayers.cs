using TileServer.Core.Model;

namespace TileServer.Core.Tests.Support;

/// <summary>Administrative layers built in memory (a unit square each), for tests of what is derived from units and values.</summary>
public static class MemoryLayers
{
    /// <summary>A layer whose units have the given codes, names and values of <paramref name="columns"/> (numeric).</summary>
    public static AdminLayer Make(AdminLevel level, string[] columns, params (string Code, string Name, double?[] Values)[] units)
    {
        var codes = AdminCodes.Ubigeo;
        return new AdminLayer(
            level,
            [.. columns.Select(c => new EstimateColumn(c, ColumnKind.Number, 0))],
            [.. units.OrderBy(u => u.Code, StringComparer.Ordinal).Select((u, i) => new AdminUnit
            {
                Level = level,
                Code = u.Code,
                Name = u.Name,
                ProvinceCode = level == AdminLevel.District ? codes.ParentCode(u.Code, AdminLevel.Province) : null,
                DepartmentCode = level == AdminLevel.Department ? null : codes.ParentCode(u.Code, AdminLevel.Department),
                Geometry = SmallLayers.Box(i, 0, i + 1, 1),
                SourceGeometry = SmallLayers.Box(i, 0, i + 1, 1),
                Values = [.. u.Values.Cast<object?>()],
                HasEstimates = true,
                AreaKm2 = 1,
            })]);
    }
}
