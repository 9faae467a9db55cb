namespace TileServer.Core.Model;

/// <summary>
/// Which province and department each unit belongs to, as indexes into the coarser layers' units, derived once from
/// the district codes by <see cref="AdminCodes"/>: the provinces are the distinct province prefixes of the district
/// codes, the departments those of the province codes, each in ordinal order (the order of their layers' units).
/// Every capability that needs a unit's parent (dissolving, tiles, answers naming the parents) reads it here.
/// </summary>
/// <remarks>
/// Memory: one <see cref="int"/> array per (level, coarser level) pair, aligned with the finer level's units.
/// Built in O(n) over district codes sorted ordinally (sorted codes keep each prefix group contiguous).
/// Immutable after construction; safe to read from any thread.
/// </remarks>
public sealed class ParentIndex
{
    private readonly string[][] _codes;
    private readonly int[][] _parents;

    private ParentIndex(AdminCodes codes, string[][] levelCodes, int[][] parents)
    {
        Codes = codes;
        _codes = levelCodes;
        _parents = parents;
    }

    public AdminCodes Codes { get; }

    /// <summary>The codes of <paramref name="level"/>'s units, in ordinal order (the layer's unit order).</summary>
    public IReadOnlyList<string> CodesOf(AdminLevel level) => _codes[(int)level];

    /// <summary>Number of units of <paramref name="level"/>.</summary>
    public int Count(AdminLevel level) => _codes[(int)level].Length;

    /// <summary>For each unit of <paramref name="level"/>, the index of its unit at the coarser <paramref name="parent"/> level.</summary>
    /// <exception cref="ArgumentException"><paramref name="parent"/> is not coarser than <paramref name="level"/>.</exception>
    public ReadOnlySpan<int> Of(AdminLevel level, AdminLevel parent) =>
        parent < level
            ? _parents[Slot(level, parent)]
            : throw new ArgumentException($"{parent} is not coarser than {level}", nameof(parent));

    /// <summary>The index of unit <paramref name="unit"/> of <paramref name="level"/>'s parent at <paramref name="parent"/> level.</summary>
    public int Of(AdminLevel level, int unit, AdminLevel parent) => Of(level, parent)[unit];

    /// <summary>Builds the index from the district codes, sorted ordinally and unique (a district layer's units).</summary>
    /// <exception cref="ArgumentException">Codes are not sorted and unique, or not <see cref="AdminCodes.DistrictLength"/> long.</exception>
    public static ParentIndex FromDistrictCodes(AdminCodes codes, IReadOnlyList<string> districtCodes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(districtCodes);
        for (var i = 0; i < districtCodes.Count; i++)
        {
            if (districtCodes[i].Length != codes.DistrictLength)
            {
                throw new ArgumentException($"district code '{districtCodes[i]}' is not {codes.DistrictLength} characters long", nameof(districtCodes));
            }

            if (i > 0 && string.CompareOrdinal(districtCodes[i - 1], districtCodes[i]) >= 0)
            {
                throw new ArgumentException("district codes must be sorted ordinally and unique", nameof(districtCodes));
            }
        }

        var districts = districtCodes.ToArray();
        var (provinces, districtProvince) = Group(districts, codes.ProvinceLength);
        var (departments, provinceDepartment) = Group(provinces, codes.DepartmentLength);
        var districtDepartment = new int[districts.Length];
        for (var d = 0; d < districts.Length; d++)
        {
            districtDepartment[d] = provinceDepartment[districtProvince[d]];
        }

        var parents = new int[3][];
        parents[Slot(AdminLevel.Province, AdminLevel.Department)] = provinceDepartment;
        parents[Slot(AdminLevel.District, AdminLevel.Department)] = districtDepartment;
        parents[Slot(AdminLevel.District, AdminLevel.Province)] = districtProvince;
        return new ParentIndex(codes, [departments, provinces, districts], parents);
    }

    /// <summary>The distinct prefixes of sorted codes, and each code's prefix index.</summary>
    private static (string[] Prefixes, int[] Index) Group(string[] sorted, int length)
    {
        var prefixes = new List<string>();
        var index = new int[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            if (prefixes.Count == 0 || !sorted[i].AsSpan(0, length).SequenceEqual(prefixes[^1]))
            {
                prefixes.Add(sorted[i][..length]);
            }

            index[i] = prefixes.Count - 1;
        }

        return ([.. prefixes], index);
    }

    /// <summary>Slots: (province, department) 0, (district, department) 1, (district, province) 2.</summary>
    private static int Slot(AdminLevel level, AdminLevel parent) => (int)level + (int)parent - 1;
}
