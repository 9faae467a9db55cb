namespace TileServer.Core.Model;

/// <summary>
/// How units are coded: a district code has <see cref="DistrictLength"/> characters, and its province and department
/// are the codes made of its first <see cref="ProvinceLength"/> and <see cref="DepartmentLength"/> characters (INEI's
/// UBIGEO: 2, 4 and 6 digits). This is the only place the parent-by-prefix rule is written.
/// </summary>
/// <remarks>Immutable; safe to share.</remarks>
public sealed record AdminCodes(int DepartmentLength, int ProvinceLength, int DistrictLength)
{
    /// <summary>INEI's UBIGEO: department 2 digits, province 4, district 6.</summary>
    public static AdminCodes Ubigeo { get; } = new(2, 4, 6);

    /// <summary>True when 0 &lt; department &lt; province &lt; district.</summary>
    public bool IsValid => DepartmentLength > 0 && DepartmentLength < ProvinceLength && ProvinceLength < DistrictLength;

    /// <summary>Length of the codes of <paramref name="level"/>.</summary>
    public int Length(AdminLevel level) => level switch
    {
        AdminLevel.Department => DepartmentLength,
        AdminLevel.Province => ProvinceLength,
        AdminLevel.District => DistrictLength,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, null),
    };

    /// <summary>The code of the unit of <paramref name="parent"/> level that holds the unit coded <paramref name="code"/>.</summary>
    /// <exception cref="ArgumentException">The code is shorter than the parent level's codes.</exception>
    public string ParentCode(string code, AdminLevel parent)
    {
        ArgumentNullException.ThrowIfNull(code);
        var length = Length(parent);
        return code.Length >= length
            ? code[..length]
            : throw new ArgumentException($"code '{code}' is shorter than a {parent.ToString().ToLowerInvariant()} code ({length} characters)", nameof(code));
    }
}
