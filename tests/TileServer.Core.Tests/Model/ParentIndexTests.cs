using TileServer.Core.Model;

namespace TileServer.Core.Tests.Model;

public class ParentIndexTests
{
    private static readonly string[] Districts = ["010101", "010102", "010201", "020101", "150101", "150102", "150201"];

    [Fact]
    public void Provinces_and_departments_are_the_distinct_prefixes_in_order()
    {
        var index = ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, Districts);

        Assert.Equal(["0101", "0102", "0201", "1501", "1502"], index.CodesOf(AdminLevel.Province));
        Assert.Equal(["01", "02", "15"], index.CodesOf(AdminLevel.Department));
        Assert.Equal(Districts, index.CodesOf(AdminLevel.District));
    }

    [Fact]
    public void Every_unit_points_at_the_unit_whose_code_is_its_prefix()
    {
        var index = ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, Districts);

        Assert.Equal([0, 0, 1, 2, 3, 3, 4], index.Of(AdminLevel.District, AdminLevel.Province).ToArray());
        Assert.Equal([0, 0, 0, 1, 2, 2, 2], index.Of(AdminLevel.District, AdminLevel.Department).ToArray());
        Assert.Equal([0, 0, 1, 2, 2], index.Of(AdminLevel.Province, AdminLevel.Department).ToArray());
        Assert.Equal(3, index.Of(AdminLevel.District, 5, AdminLevel.Province));
    }

    [Fact]
    public void Other_code_lengths_follow_the_configuration()
    {
        var index = ParentIndex.FromDistrictCodes(new AdminCodes(1, 3, 5), ["A0001", "A0002", "A0101", "B0001"]);

        Assert.Equal(["A00", "A01", "B00"], index.CodesOf(AdminLevel.Province));
        Assert.Equal(["A", "B"], index.CodesOf(AdminLevel.Department));
        Assert.Equal([0, 0, 1, 2], index.Of(AdminLevel.District, AdminLevel.Province).ToArray());
    }

    [Fact]
    public void Unsorted_duplicate_or_short_codes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, ["010102", "010101"]));
        Assert.Throws<ArgumentException>(() => ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, ["010101", "010101"]));
        Assert.Throws<ArgumentException>(() => ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, ["01010"]));
    }

    [Fact]
    public void A_parent_must_be_coarser()
    {
        var index = ParentIndex.FromDistrictCodes(AdminCodes.Ubigeo, Districts);

        Assert.Throws<ArgumentException>(() => index.Of(AdminLevel.Province, AdminLevel.District).Length);
        Assert.Throws<ArgumentException>(() => index.Of(AdminLevel.Province, AdminLevel.Province).Length);
    }

    [Fact]
    public void Parent_codes_are_prefixes()
    {
        Assert.Equal("0101", AdminCodes.Ubigeo.ParentCode("010102", AdminLevel.Province));
        Assert.Equal("01", AdminCodes.Ubigeo.ParentCode("010102", AdminLevel.Department));
        Assert.Throws<ArgumentException>(() => AdminCodes.Ubigeo.ParentCode("0", AdminLevel.Department));
        Assert.False(new AdminCodes(4, 4, 6).IsValid);
    }
}
