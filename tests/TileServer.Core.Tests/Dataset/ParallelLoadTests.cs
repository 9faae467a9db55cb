using TileServer.Core.Dataset;
using TileServer.Core.Model;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Dataset;

/// <summary>
/// The load takes all its parallelism from the scheduler it is handed: on a scheduler that runs one task at a time it
/// finishes, its tasks go through that scheduler, and it gives the same version, label points and tile bytes as on
/// every core.
/// </summary>
public class ParallelLoadTests
{
    private static DatasetOptions Sample() => new()
    {
        Districts = Path.Combine(SampleMutant.SampleFolder, "districts.shp"),
        Estimates = Path.Combine(SampleMutant.SampleFolder, "estimates.csv"),
    };

    [Fact]
    public void One_thread_and_every_core_give_the_same_version_and_tile_bytes()
    {
        var tiles = new TilesOptions { MaxZoom = 8, PrebuildMaxZoom = 8 };
        var pair = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, maxConcurrencyLevel: 1);
        var recording = new RecordingScheduler(pair.ConcurrentScheduler);

        var alone = DatasetLoader.Load(Sample(), tiles, null, default, recording);
        var everyCore = DatasetLoader.Load(Sample(), tiles, null, default);

        // The load itself, its seven side-by-side steps and a tile worker (Parallel.For runs inline on one thread).
        Assert.True(recording.Tasks >= 9, $"only {recording.Tasks} tasks went through the scheduler handed to the load");
        Assert.Equal(everyCore.Version, alone.Version);
        var expected = (Tileset)everyCore.Tiles!;
        var actual = (Tileset)alone.Tiles!;
        Assert.Equal(expected.TileIds.ToHashSet(), actual.TileIds.ToHashSet());
        foreach (var id in expected.TileIds)
        {
            Assert.True(expected.TryGetTile(id, out var want));
            Assert.True(actual.TryGetTile(id, out var got));
            Assert.True(want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"{id}: other bytes on one thread");
        }

        Assert.Equal(everyCore.LabelPoints.Of(AdminLevel.District).ToArray(), alone.LabelPoints.Of(AdminLevel.District).ToArray());
    }

    /// <summary>Counts the tasks queued to an inner scheduler, which runs them (at most its own concurrency at once).</summary>
    private sealed class RecordingScheduler(TaskScheduler inner) : TaskScheduler
    {
        private int _tasks;

        public int Tasks => _tasks;

        public override int MaximumConcurrencyLevel => inner.MaximumConcurrencyLevel;

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _tasks);
            Task.Factory.StartNew(
                () => TryExecuteTask(task),
                CancellationToken.None,
                TaskCreationOptions.None,
                inner);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

        protected override IEnumerable<Task>? GetScheduledTasks() => null;
    }
}
