using TileServer.Core.Join;

namespace TileServer.Core.Tests.Join;

/// <summary>
/// The code rules of <see cref="DistrictCode"/>, each against codes written out by hand: digits shorter than the width
/// get their leading zeros back, a whole number read from a numeric field is its digits, anything else is kept as text.
/// </summary>
public class DistrictCodeTests
{
    [Theory]
    [InlineData("19999", "019999")]
    [InlineData("9", "000009")]
    [InlineData("99999", "099999")]
    public void Digit_codes_with_nines_are_digits_and_get_their_leading_zeros(string raw, string expected) =>
        Assert.Equal(expected, DistrictCode.Normalize(raw, 6));

    [Theory]
    [InlineData("0101010", "0101010")]
    [InlineData("150101", "150101")]
    public void Digit_codes_at_or_over_the_width_are_kept_as_written(string raw, string expected) =>
        Assert.Equal(expected, DistrictCode.Normalize(raw, 6));

    [Theory]
    [InlineData(".0")]
    [InlineData("A.0")]
    [InlineData("1a.0")]
    public void A_point_zero_suffix_is_dropped_only_after_digits(string raw) =>
        Assert.Equal(raw, DistrictCode.Normalize(raw, 6));

    [Fact]
    public void A_whole_double_of_fifteen_digits_is_its_digits() =>
        Assert.Equal("123456789012345", DistrictCode.Normalize(123_456_789_012_345.0, 6));

    [Fact]
    public void A_whole_double_from_a_numeric_field_is_padded_like_its_digits() =>
        Assert.Equal("000042", DistrictCode.Normalize(42.0, 6));

    [Fact]
    public void A_double_with_a_fraction_is_not_truncated_to_a_code() =>
        Assert.Equal("10101.5", DistrictCode.Normalize(10101.5, 6));

    [Fact]
    public void Whole_numbers_of_other_numeric_types_are_their_digits()
    {
        Assert.Equal("010101", DistrictCode.Normalize(10101, 6));
        Assert.Equal("010101", DistrictCode.Normalize(10101L, 6));
        Assert.Equal("010101", DistrictCode.Normalize(10101.0m, 6));
    }
}
