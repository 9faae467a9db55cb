using TileServer.Core.Styles;

namespace TileServer.Core.Tests.Styles;

public class ClassBreaksTests
{
    [Fact]
    public void Quintiles_of_1_to_100_start_at_21_41_61_81()
    {
        var breaks = ClassBreaks.Quantiles(Enumerable.Range(1, 100).Select(v => (double?)v));

        Assert.Equal([21.0, 41, 61, 81], breaks.Breaks);
        Assert.Equal(5, breaks.Classes);
        Assert.Equal((1.0, 100.0, 100, 0), (breaks.Min, breaks.Max, breaks.Count, breaks.Missing));
    }

    [Fact]
    public void Each_class_holds_a_fifth_of_distinct_values()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 1000).Select(_ => Math.Round(random.NextDouble() * 1000, 1) + 1000).Distinct().ToArray();

        var breaks = ClassBreaks.Quantiles(values.Select(v => (double?)v));

        // Counted without ClassOf: a value is in class c when exactly c breaks are <= it.
        var sizes = values.GroupBy(v => breaks.Breaks.Count(b => b <= v)).Select(g => g.Count()).ToArray();
        Assert.Equal(5, sizes.Length);
        Assert.All(sizes, size => Assert.InRange(size, values.Length / 5 - 10, values.Length / 5 + 10));
    }

    [Fact]
    public void Missing_values_are_counted_not_classified()
    {
        var breaks = ClassBreaks.Quantiles([1, null, 2, double.NaN, 3, 4, 5]);

        Assert.Equal(5, breaks.Count);
        Assert.Equal(2, breaks.Missing);
        Assert.Equal([2.0, 3, 4, 5], breaks.Breaks);
    }

    [Fact]
    public void Breaks_are_rounded_to_three_significant_digits()
    {
        var breaks = ClassBreaks.Quantiles(new double?[] { 0.12344, 0.23456, 0.34567, 0.45678, 0.56789 });

        Assert.Equal([0.235, 0.346, 0.457, 0.568], breaks.Breaks);
        Assert.Equal(1530, ClassBreaks.RoundSignificant(1534.9, 3));
        Assert.Equal(1540, ClassBreaks.RoundSignificant(1535, 3));
        Assert.Equal(-23.5, ClassBreaks.RoundSignificant(-23.46, 3));
        Assert.Equal(0, ClassBreaks.RoundSignificant(0, 3));
    }

    [Fact]
    public void Ties_and_a_heap_at_the_minimum_give_fewer_classes_never_an_empty_first_one()
    {
        // Most districts have no extreme poverty: 70 zeros, then 30 distinct rates.
        var values = Enumerable.Repeat(0.0, 70).Concat(Enumerable.Range(1, 30).Select(v => (double)v)).Select(v => (double?)v).ToArray();

        var breaks = ClassBreaks.Quantiles(values);

        Assert.Equal([11.0], breaks.Breaks.Take(1));
        Assert.True(breaks.Breaks.All(b => b > 0));
        Assert.True(breaks.Breaks.Zip(breaks.Breaks.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(0, breaks.ClassOf(0));
        Assert.True(values.Count(v => breaks.ClassOf(v!.Value) == 0) >= 70);
    }

    [Fact]
    public void One_value_is_one_class_and_no_value_is_none()
    {
        Assert.Equal(1, ClassBreaks.Quantiles([4, 4, 4]).Classes);
        Assert.Equal(0, ClassBreaks.Quantiles([null, null]).Classes);
        Assert.True(double.IsNaN(ClassBreaks.Quantiles([]).Min));
    }

    [Theory]
    [InlineData(20.9, 0)]
    [InlineData(21, 1)]
    [InlineData(80.99, 3)]
    [InlineData(81, 4)]
    [InlineData(1e9, 4)]
    public void A_class_runs_from_its_break_included_to_the_next_excluded(double value, int expected)
    {
        var breaks = ClassBreaks.Quantiles(Enumerable.Range(1, 100).Select(v => (double?)v));

        Assert.Equal(expected, breaks.ClassOf(value));
    }
}
