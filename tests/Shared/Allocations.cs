namespace TileServer.Testing;

/// <summary>
/// Pins "allocates nothing" claims of hot paths in ordinary tests, as garnet does: run the call many times after a
/// warm-up and count the bytes the current thread allocated meanwhile (<see cref="GC.GetAllocatedBytesForCurrentThread"/>),
/// so that a regression fails CI instead of waiting for a <c>[MemoryDiagnoser]</c> benchmark run. Linked into both
/// test projects.
/// </summary>
internal static class Allocations
{
    /// <summary>Bytes allocated on this thread by <paramref name="calls"/> calls of <paramref name="call"/>, after as
    /// many warm-up calls (JIT, lazy statics and first-use caches stay out of the count).</summary>
    public static long Measure(Action call, int calls = 10_000)
    {
        ArgumentNullException.ThrowIfNull(call);
        for (var i = 0; i < calls; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            call();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
