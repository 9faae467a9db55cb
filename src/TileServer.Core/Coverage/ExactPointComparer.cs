namespace TileServer.Core.Coverage;

/// <summary>Exact coordinates as keys, hashed from their bits (the tuple's default hash was slower on Peru).</summary>
internal sealed class ExactPointComparer : IEqualityComparer<(double X, double Y)>
{
    public static readonly ExactPointComparer Instance = new();

    public bool Equals((double X, double Y) a, (double X, double Y) b) => a.X == b.X && a.Y == b.Y;

    public int GetHashCode((double X, double Y) point)
    {
        var hash = (ulong)BitConverter.DoubleToInt64Bits(point.X) * 0x9E3779B97F4A7C15UL;
        hash ^= (ulong)BitConverter.DoubleToInt64Bits(point.Y) + (hash >> 29);
        hash *= 0xBF58476D1CE4E5B9UL;
        return (int)(hash ^ (hash >> 32));
    }
}
