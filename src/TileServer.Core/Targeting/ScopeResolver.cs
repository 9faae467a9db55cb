using TileServer.Core.Model;

namespace TileServer.Core.Targeting;

/// <summary>Turns a <see cref="TargetingScope"/> into the units of one level it holds. Thread safety: stateless.</summary>
internal static class ScopeResolver
{
    /// <summary>A mask over <paramref name="level"/>'s units: true for those in scope.</summary>
    /// <exception cref="InvalidTargetingRequestException">The code is unknown, the scope does not fit the level, or
    /// it holds no unit.</exception>
    public static bool[] Resolve(TargetingIndex index, LevelIndex level, TargetingScope scope)
    {
        var inScope = new bool[level.Count];
        var levelName = Name(level.Layer.Level);
        switch (scope.Kind)
        {
            case ScopeKind.Country:
                Array.Fill(inScope, true);
                break;
            case ScopeKind.Department:
                var department = index.DepartmentIndex(scope.Code!);
                if (department < 0)
                {
                    throw new InvalidTargetingRequestException("scope.department", $"There is no department coded '{scope.Code}'{Example(index.Departments)}.");
                }

                for (var u = 0; u < inScope.Length; u++)
                {
                    inScope[u] = level.Department[u] == department;
                }

                break;
            case ScopeKind.Province:
                if (level.Province is null)
                {
                    throw new InvalidTargetingRequestException("scope.province", $"A province scope holds no whole {levelName}; use level province or district, or a department scope.");
                }

                var province = index.ProvinceIndex(scope.Code!);
                if (province < 0)
                {
                    throw new InvalidTargetingRequestException("scope.province", $"There is no province coded '{scope.Code}' (province codes are the first digits of a district code, e.g. '0501').");
                }

                for (var u = 0; u < inScope.Length; u++)
                {
                    inScope[u] = level.Province[u] == province;
                }

                break;
            case ScopeKind.Area:
                var found = level.UnitsWithin(scope.Area!);
                if (found.Count == 0)
                {
                    throw new InvalidTargetingRequestException("scope", $"The scope area holds the label point of no {levelName}; check that it is in lon/lat (WGS 84) and covers part of the country.");
                }

                foreach (var u in found)
                {
                    inScope[u] = true;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scope), scope.Kind, null);
        }

        return inScope;
    }

    public static string Name(AdminLevel level) => level.ToString().ToLowerInvariant();

    private static string Example(AdminLayer departments) =>
        departments.Units.Count == 0 ? string.Empty : $" (codes such as '{departments.Units[0].Code}')";
}
