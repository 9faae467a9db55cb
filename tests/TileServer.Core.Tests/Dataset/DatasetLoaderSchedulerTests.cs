using System.Collections.Concurrent;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Dataset;

/// <summary>
/// A load handed a scheduler runs its parallel work there (DatasetLoader's remarks): the tile build's workers and the
/// parallel loops are queued to it, a scheduler with a single thread is enough (the thread that produces the tile work
/// also drains it), and the tiles are those of a load on the default scheduler, byte for byte.
/// </summary>
public class DatasetLoaderSchedulerTests
{
    private static DatasetOptions Sample()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "TileServer.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("TileServer.sln not found");
        }

        return new DatasetOptions
        {
            Districts = Path.Combine(root, "geodata", "sample", "districts.shp"),
            Estimates = Path.Combine(root, "geodata", "sample", "estimates.csv"),
        };
    }

    [Fact]
    public void A_load_on_a_one_thread_scheduler_queues_its_parallel_work_there_and_builds_the_same_tiles()
    {
        var tiles = new TilesOptions { MaxZoom = 7 };
        var reference = DatasetLoader.Load(Sample(), tiles);
        using var scheduler = new OneThreadScheduler();

        var load = Task.Run(() => DatasetLoader.Load(Sample(), tiles, null, CancellationToken.None, scheduler));

        Assert.True(load.Wait(TimeSpan.FromMinutes(2)), "the load on a one-thread scheduler did not end (deadlock)");
        var snapshot = load.Result;
        Assert.Equal(reference.Version, snapshot.Version);

        // The tile workers (long-running tasks) and the parallel loops' tasks were queued to the given scheduler.
        Assert.True(scheduler.LongRunning >= 1, $"long-running tasks queued: {scheduler.LongRunning}");
        Assert.True(scheduler.Queued > scheduler.LongRunning + 1, $"tasks queued: {scheduler.Queued}");

        var expected = reference.Tiles!;
        var actual = snapshot.Tiles!;
        Assert.Equal(expected.TileIds.Order(), actual.TileIds.Order());
        foreach (var id in expected.TileIds)
        {
            Assert.True(expected.TryGetTile(id, out var a) & actual.TryGetTile(id, out var b));
            Assert.True(a.Mvt.Span.SequenceEqual(b.Mvt.Span), $"tile {id} differs");
        }
    }

    /// <summary>One dedicated thread; counts what it is given.</summary>
    private sealed class OneThreadScheduler : TaskScheduler, IDisposable
    {
        private readonly BlockingCollection<Task> _queue = [];
        private readonly Thread _thread;
        private int _queued;
        private int _longRunning;

        public OneThreadScheduler()
        {
            _thread = new Thread(() =>
            {
                foreach (var task in _queue.GetConsumingEnumerable())
                {
                    TryExecuteTask(task);
                }
            })
            { IsBackground = true };
            _thread.Start();
        }

        public int Queued => Volatile.Read(ref _queued);

        public int LongRunning => Volatile.Read(ref _longRunning);

        public override int MaximumConcurrencyLevel => 1;

        public void Dispose() => _queue.CompleteAdding();

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _queued);
            if ((task.CreationOptions & TaskCreationOptions.LongRunning) != 0)
            {
                Interlocked.Increment(ref _longRunning);
            }

            _queue.Add(task);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
            Thread.CurrentThread == _thread && TryExecuteTask(task);

        protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];
    }
}
