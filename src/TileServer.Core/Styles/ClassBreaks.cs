namespace TileServer.Core.Styles;

/// <summary>
/// Class breaks of one indicator at one level for a choropleth: quantiles (equal-count classes, five by default:
/// quintiles) of the units that have a value, each break rounded to <see cref="SignificantDigits"/> significant
/// digits so that the legend shows exactly the numbers the map uses.
/// </summary>
/// <remarks>
/// <para><b>Why quantiles.</b> Peru targets social programs by poverty quintile (FONCODES' poverty map ranks districts
/// in quintiles), so "the poorest fifth of the districts" is the reading MIDIS staff expect; quantiles also spread
/// skewed indicators (population, extreme poverty with many values near 0) over every colour, where equal intervals
/// would paint most units one colour. Jenks natural breaks would follow clusters instead, but its classes change
/// shape from one indicator to the next and do not read as ranks.</para>
/// <para><b>Definition.</b> With the n values sorted ascending as v[0..n-1] and k classes, break j (j = 1..k-1) is
/// v[⌊j·n/k⌋], the smallest value of the (j+1)-th k-quantile group, rounded to three significant digits. A value x
/// belongs to class c = the number of breaks ≤ x (classes are closed below, open above, as MapLibre's <c>step</c>
/// expression reads them). Breaks that rounding or ties make equal, or that do not exceed the minimum (an empty first
/// class), are dropped, so there may be fewer than k classes, never an empty one at the bottom.</para>
/// <para>Immutable; safe to share.</para>
/// </remarks>
public sealed class ClassBreaks
{
    public const int SignificantDigits = 3;

    /// <summary>Quintiles: the default number of classes.</summary>
    public const int DefaultClasses = 5;

    private ClassBreaks(double[] breaks, double min, double max, int count, int missing)
    {
        Breaks = breaks;
        Min = min;
        Max = max;
        Count = count;
        Missing = missing;
    }

    /// <summary>Ascending lower bounds of classes 1 to <see cref="Classes"/> - 1 (class 0 starts at <see cref="Min"/>).</summary>
    public IReadOnlyList<double> Breaks { get; }

    /// <summary>Smallest value (NaN when no unit has one).</summary>
    public double Min { get; }

    /// <summary>Largest value (NaN when no unit has one).</summary>
    public double Max { get; }

    /// <summary>Units with a value.</summary>
    public int Count { get; }

    /// <summary>Units without a value ("no data").</summary>
    public int Missing { get; }

    /// <summary>Number of classes: breaks + 1, or 0 when no unit has a value.</summary>
    public int Classes => Count == 0 ? 0 : Breaks.Count + 1;

    /// <summary>The class of <paramref name="value"/>: the number of breaks less than or equal to it.</summary>
    public int ClassOf(double value)
    {
        var c = 0;
        while (c < Breaks.Count && Breaks[c] <= value)
        {
            c++;
        }

        return c;
    }

    /// <summary>Quantile breaks of the non-null values (see the remarks).</summary>
    public static ClassBreaks Quantiles(IEnumerable<double?> values, int classes = DefaultClasses)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        var present = new List<double>();
        var missing = 0;
        foreach (var value in values)
        {
            if (value is { } v && double.IsFinite(v))
            {
                present.Add(v);
            }
            else
            {
                missing++;
            }
        }

        if (present.Count == 0)
        {
            return new ClassBreaks([], double.NaN, double.NaN, 0, missing);
        }

        present.Sort();
        var min = present[0];
        var breaks = new List<double>(classes - 1);
        for (var j = 1; j < classes; j++)
        {
            var value = RoundSignificant(present[(int)((long)j * present.Count / classes)], SignificantDigits);
            if (value > min && (breaks.Count == 0 || value > breaks[^1]))
            {
                breaks.Add(value);
            }
        }

        return new ClassBreaks([.. breaks], min, present[^1], present.Count, missing);
    }

    /// <summary><paramref name="value"/> rounded to <paramref name="digits"/> significant digits (half away from zero); 0 stays 0.</summary>
    public static double RoundSignificant(double value, int digits)
    {
        if (value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        var scale = digits - 1 - (int)Math.Floor(Math.Log10(Math.Abs(value)));
        return scale switch
        {
            >= 0 and <= 15 => Math.Round(value, scale, MidpointRounding.AwayFromZero),
            > 15 => Math.Round(value * Math.Pow(10, scale), MidpointRounding.AwayFromZero) / Math.Pow(10, scale),
            _ => Math.Round(value / Math.Pow(10, -scale), MidpointRounding.AwayFromZero) * Math.Pow(10, -scale),
        };
    }
}
