using System.Numerics;
using System.Runtime.CompilerServices;

namespace TileServer.Core.Index;

/// <summary>
/// The exact sign of the planar orientation determinant of three points given as doubles.
/// </summary>
/// <remarks>
/// A floating-point evaluation with J. R. Shewchuk's static error bound ("Adaptive Precision Floating-Point Arithmetic
/// and Fast Robust Geometric Predicates", Discrete &amp; Computational Geometry 18, 1997; the bound
/// <c>ccwerrboundA</c>) answers almost every call; when the bound cannot certify the sign, the determinant is
/// evaluated exactly on the doubles' binary values with <see cref="BigInteger"/>. That fallback allocates, but only
/// runs for points within a few ulps of a line (points exactly on edges and vertices), so ordinary lookups allocate
/// nothing. Hand-written because NetTopologySuite's <c>Orientation.Index</c> takes <c>Coordinate</c> objects and its
/// double-double arithmetic is not exact for every double input.
/// Shewchuk's bound assumes that no product underflows or overflows; where one may have (the sum of the two
/// products' magnitudes below 2^-960 or infinite, or a product 0 whose factors are not), the exact evaluation
/// answers instead, so the sign is exact for every pair of finite doubles, not only for lon/lat-sized ones.
/// Thread safety: stateless.
/// </remarks>
public static class ExactOrientation
{
    private const double Epsilon = 1.1102230246251565e-16; // 2^-53
    private const double ErrorBoundA = (3.0 + (16.0 * Epsilon)) * Epsilon;

    // 2^-960: above it, the absolute error of an underflowed product (at most 2^-1075 each) is below 2^-114 of the
    // sum, inside the bound's 16 Epsilon^2 margin (2^-102), so the filter stays sound.
    private const double MinCertainSum = 1.0261342003245941e-289;

    /// <summary>+1 when (ax,ay), (bx,by), (cx,cy) turn counter-clockwise, -1 clockwise, 0 when exactly collinear.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sign(double ax, double ay, double bx, double by, double cx, double cy)
    {
        var left = (ax - cx) * (by - cy);
        var right = (ay - cy) * (bx - cx);
        var det = left - right;
        double sum;
        // Where left and -right have one sign (or -right is 0), det is their rounded sum and has that sign.
        // A product that is 0 with no zero factor underflowed: its sign is lost, so it is left to the filter below.
        if (left > 0)
        {
            if (right < 0 || (right == 0 && (ay == cy || bx == cx)))
            {
                return 1;
            }

            sum = left + right;
        }
        else if (left < 0)
        {
            if (right > 0 || (right == 0 && (ay == cy || bx == cx)))
            {
                return -1;
            }

            sum = -left - right;
        }
        else if ((ax == cx || by == cy) && (right != 0 || ay == cy || bx == cx))
        {
            // left is exactly 0 (a factor is), so det is -right, whose sign is exact unless right underflowed too.
            return det > 0 ? 1 : det < 0 ? -1 : 0;
        }
        else
        {
            return SignExact(ax, ay, bx, by, cx, cy);
        }

        if (sum is < MinCertainSum or > double.MaxValue)
        {
            return SignExact(ax, ay, bx, by, cx, cy);
        }

        var bound = ErrorBoundA * sum;
        if (det >= bound)
        {
            return 1;
        }

        if (-det >= bound)
        {
            return -1;
        }

        return SignExact(ax, ay, bx, by, cx, cy);
    }

    /// <summary>The same sign computed exactly with integers scaled by a common power of two.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static int SignExact(double ax, double ay, double bx, double by, double cx, double cy)
    {
        Span<double> values = [ax, ay, bx, by, cx, cy];
        Span<long> mantissas = stackalloc long[6];
        Span<int> exponents = stackalloc int[6];
        var minExponent = int.MaxValue;
        for (var i = 0; i < 6; i++)
        {
            (mantissas[i], exponents[i]) = Decompose(values[i]);
            if (mantissas[i] != 0)
            {
                minExponent = Math.Min(minExponent, exponents[i]);
            }
        }

        if (minExponent == int.MaxValue)
        {
            return 0;
        }

        var exact = new BigInteger[6];
        for (var i = 0; i < 6; i++)
        {
            exact[i] = new BigInteger(mantissas[i]) << (exponents[i] - minExponent);
        }

        var det = ((exact[0] - exact[4]) * (exact[3] - exact[5])) - ((exact[1] - exact[5]) * (exact[2] - exact[4]));
        return det.Sign;
    }

    /// <summary>value = mantissa * 2^exponent exactly (finite doubles).</summary>
    private static (long Mantissa, int Exponent) Decompose(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var negative = bits < 0;
        var exponent = (int)((bits >> 52) & 0x7FF);
        var fraction = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1;
        }
        else
        {
            fraction |= 1L << 52;
        }

        return (negative ? -fraction : fraction, exponent - 1075);
    }
}
