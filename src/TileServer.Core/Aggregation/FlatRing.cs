namespace TileServer.Core.Aggregation;

/// <summary>Rings stored as interleaved x, y pairs in a flat array, as the allocation-free clippers produce them.</summary>
internal static class FlatRing
{
    /// <summary>The shoelace formula over the first <paramref name="count"/> points (closing edge implied): positive when counter-clockwise.</summary>
    public static double SignedArea(double[] xy, int count)
    {
        if (count < 3)
        {
            return 0;
        }

        double sum = 0;
        var px = xy[2 * (count - 1)];
        var py = xy[(2 * (count - 1)) + 1];
        for (var i = 0; i < count; i++)
        {
            var x = xy[2 * i];
            var y = xy[(2 * i) + 1];
            sum += (px * y) - (x * py);
            px = x;
            py = y;
        }

        return sum / 2;
    }
}
