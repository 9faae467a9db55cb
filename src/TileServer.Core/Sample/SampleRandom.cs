namespace TileServer.Core.Sample;

/// <summary>
/// Deterministic pseudo-random numbers for the sample generator: SplitMix64 (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014; constants from Vigna's reference implementation).
/// </summary>
/// <remarks>
/// Written here rather than using <see cref="Random"/> because the generator promises byte-identical output for a seed,
/// and <see cref="Random"/>'s seeded sequence is not guaranteed to stay the same across .NET versions.
/// Each concern (shape, sites, names, estimates) draws from its own stream, so changing how many numbers one of them
/// consumes does not shift the others. Not thread-safe: one instance per stream and thread.
/// </remarks>
internal sealed class SampleRandom
{
    private ulong _state;

    public SampleRandom(int seed, SampleStream stream)
    {
        _state = unchecked(((ulong)(uint)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)stream * 0xD1B54A32D192ED03UL));
    }

    public ulong NextUInt64()
    {
        var z = unchecked(_state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Uniform integer in [0, maxExclusive) by Lemire's multiply-shift (bias below 2^-32, irrelevant here).</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    public bool Chance(double probability) => NextDouble() < probability;

    /// <summary>Standard normal deviate by the Box-Muller transform.</summary>
    public double Gaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}

/// <summary>Independent random streams of the sample generator, one per concern.</summary>
internal enum SampleStream : ulong
{
    Shape = 1,
    Sites = 2,
    Names = 3,
    Estimates = 4,
}
