namespace TileServer.Core.Model;

/// <summary>
/// The <see cref="ParallelOptions"/> of every parallel loop a load runs. <c>Parallel.For</c> without options, like
/// <c>new ParallelOptions()</c>, runs on <see cref="TaskScheduler.Default"/> whatever scheduler the caller runs on;
/// these options leave the scheduler unset, so that a loop runs on <see cref="TaskScheduler.Current"/>: the scheduler
/// a load was handed (<c>DatasetLoader</c>), or the default one for a caller outside any such load.
/// </summary>
/// <remarks>Thread safety: one shared instance, never changed after it is made.</remarks>
internal static class LoadParallelism
{
    public static ParallelOptions Options { get; } = new() { TaskScheduler = null };
}
