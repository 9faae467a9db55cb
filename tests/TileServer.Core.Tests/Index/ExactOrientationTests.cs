using TileServer.Core.Index;

namespace TileServer.Core.Tests.Index;

/// <summary>
/// <see cref="ExactOrientation"/> against an oracle that shares nothing with it: points whose coordinates are small
/// integers times one power of two, so that the determinant of the integers (computed in <see cref="long"/>) has the
/// sign of the doubles' determinant. The powers run from the subnormals (2^-1074) to 2^900, the integers are of every
/// sign and size (so the six doubles have different exponents and some are zero), and two thirds of the points are
/// exactly on the line through the other two or one unit off it, where the floating-point filter cannot decide.
/// <see cref="ExactOrientation.Sign"/> and the integer evaluation it falls back to are both held to the oracle at every
/// scale, including those where the products of coordinate differences underflow or overflow.
/// </summary>
public class ExactOrientationTests
{
    [Fact]
    public void The_sign_is_that_of_the_integer_determinant_from_the_subnormals_to_huge_coordinates()
    {
        var random = new Random(19);
        int[] scales = [-1074, -1070, -1040, -600, -500, -60, -20, 0, 20, 300, 480, 900];
        var failures = new List<string>();
        var signs = new int[3];
        for (var i = 0; i < 30_000; i++)
        {
            var scale = scales[random.Next(scales.Length)];
            long ax = Integer(random), ay = Integer(random), bx = Integer(random), by = Integer(random);
            long cx, cy;
            switch (i % 3)
            {
                case 0:
                    (cx, cy) = (Integer(random), Integer(random));
                    break;
                default:
                    // On the line a + t (b - a) for a whole t, then perhaps one unit off it.
                    var t = random.Next(-3, 4);
                    cx = ax + (t * (bx - ax));
                    cy = ay + (t * (by - ay)) + random.Next(-1, 2);
                    break;
            }

            var expected = Math.Sign(((ax - cx) * (by - cy)) - ((ay - cy) * (bx - cx)));
            signs[expected + 1]++;
            double D(long v) => Math.ScaleB(v, scale);
            var (dax, day, dbx, dby, dcx, dcy) = (D(ax), D(ay), D(bx), D(by), D(cx), D(cy));
            var sign = ExactOrientation.Sign(dax, day, dbx, dby, dcx, dcy);
            var exact = ExactOrientation.SignExact(dax, day, dbx, dby, dcx, dcy);
            if (sign != expected || exact != expected)
            {
                failures.Add($"({ax}, {ay}), ({bx}, {by}), ({cx}, {cy}) x 2^{scale}: Sign {sign}, SignExact {exact}, expected {expected}");
            }
        }

        Assert.Empty(failures.Take(10));

        // Each sign came up often, so none of the three answers was left unchecked.
        Assert.All(signs, count => Assert.True(count > 3000, $"signs -1, 0, +1 came up {string.Join(", ", signs)} times"));
    }

    [Fact]
    public void All_zero_points_and_the_points_of_one_axis_are_collinear()
    {
        Assert.Equal(0, ExactOrientation.SignExact(0, 0, 0, 0, 0, 0));
        Assert.Equal(0, ExactOrientation.Sign(0, 0, 0, 0, 0, 0));
        Assert.Equal(0, ExactOrientation.SignExact(0, 0, double.Epsilon, 0, -5, 0));
        Assert.Equal(1, ExactOrientation.SignExact(0, 0, double.Epsilon, 0, 0, double.Epsilon));
        Assert.Equal(-1, ExactOrientation.SignExact(0, 0, 0, double.Epsilon, double.Epsilon, 0));
    }

    [Theory]
    [InlineData(1e-200)]
    [InlineData(1e-160)]
    [InlineData(-1e-200)]
    [InlineData(double.Epsilon)]
    public void Products_that_underflow_keep_the_sign_of_the_determinant(double unit)
    {
        // (0, 0), (u, 0), (0, u): the determinant is u^2, below the smallest double for every u here; its sign is
        // that of u^2 > 0 for the counter-clockwise triangle, whatever the sign of u (two reflections).
        Assert.Equal(1, ExactOrientation.Sign(0, 0, unit, 0, 0, unit));
        Assert.Equal(-1, ExactOrientation.Sign(0, 0, 0, unit, unit, 0));

        // Points off the axes, so neither product has a zero factor: (u, 2u), (3u, u), (2u, 4u) turn counter-clockwise
        // ((u - 2u)(u - 4u) - (2u - 4u)(3u - 2u) = 3u^2 + 2u^2 = 5u^2 > 0), and the sign of u flips all six
        // coordinates, which leaves the determinant as it is.
        Assert.Equal(1, ExactOrientation.Sign(unit, 2 * unit, 3 * unit, unit, 2 * unit, 4 * unit));
        Assert.Equal(-1, ExactOrientation.Sign(3 * unit, unit, unit, 2 * unit, 2 * unit, 4 * unit));
    }

    /// <summary>
    /// Where one product of differences rounds to 0 without a zero factor (its magnitude at most 2^-1075) and the other
    /// does not, the rounded products no longer tell the determinant's sign: the differences were rounded too, and the
    /// product that survived can be the smaller exactly. Cases found by a random search with exact rational arithmetic
    /// (Python's <c>fractions</c>): each determinant is negative, and positive mirrored in the y axis (x negated),
    /// where the other branch of the shortcut (left &lt; 0) is taken.
    /// </summary>
    [Theory]
    [InlineData(1.3e-322, 0.014705882352941192, 1.7e-322, 0.019230769230769246, 0.0, 1.5238031846210477e-17)]
    [InlineData(1.1e-322, 0.008474576271186418, 2.9e-322, 0.022727272727272704, 0.0, -2.2886369849067712e-17)]
    [InlineData(2.03e-322, 0.0625, 4e-323, 0.012195121951219513, 0.0, 6.219332326515421e-19)]
    public void A_product_rounded_to_zero_beside_one_that_was_not_leaves_the_sign_to_the_exact_evaluation(double ax, double ay, double bx, double by, double cx, double cy)
    {
        Assert.True((ax - cx) * (by - cy) > 0 && (ay - cy) * (bx - cx) == 0 && ay != cy && bx != cx, "the case takes the shortcut's left > 0 branch with the other product underflowed");

        Assert.Equal(-1, ExactOrientation.SignExact(ax, ay, bx, by, cx, cy));
        Assert.Equal(-1, ExactOrientation.Sign(ax, ay, bx, by, cx, cy));
        Assert.Equal(1, ExactOrientation.SignExact(-ax, ay, -bx, by, cx, cy));
        Assert.Equal(1, ExactOrientation.Sign(-ax, ay, -bx, by, cx, cy));
    }

    /// <summary>An integer of up to 20 bits of either sign, often a small one or a multiple of a power of two.</summary>
    private static long Integer(Random random) => random.Next(4) switch
    {
        0 => random.Next(-3, 4),
        1 => random.Next(-(1 << 20), 1 << 20),
        2 => (long)random.Next(-64, 65) << random.Next(0, 14),
        _ => random.Next(-1000, 1001),
    };
}
