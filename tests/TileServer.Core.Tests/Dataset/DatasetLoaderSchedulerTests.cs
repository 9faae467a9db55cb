using System.Collections.Concurrent;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Dataset;

/// <summary>
/// A load handed a scheduler runs its parallel work there (DatasetLoader's remarks): the load and its parallel loops
/// are queued to it, a scheduler with a single thread is enough (the thread that produces the tile work also drains
/// it: a worker queued behind it would never run), and the tiles are those of a load on the default scheduler, byte
/// for byte.
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

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_load_on_a_scheduler_with_few_threads_queues_its_parallel_work_there_and_builds_the_same_tiles(int threads)
    {
        var tiles = new TilesOptions { MaxZoom = 7 };
        var reference = DatasetLoader.Load(Sample(), tiles);
        using var scheduler = new CountingScheduler(threads);

        var load = Task.Run(() => DatasetLoader.Load(Sample(), tiles, null, CancellationToken.None, scheduler));

        // A deadlock (a thread of the scheduler waiting for a task queued behind it) ends in a TimeoutException.
        var snapshot = await load.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(reference.Version, snapshot.Version);

        // The load was queued to the given scheduler, and so were its seven side-by-side steps and the tile build's
        // workers (at least one), whatever the number of threads.
        Assert.True(scheduler.Queued >= 9, $"tasks queued to the scheduler: {scheduler.Queued}");

        var expected = reference.Tiles!;
        var actual = snapshot.Tiles!;
        Assert.Equal(expected.TileIds.OrderBy(t => (t.Z, t.X, t.Y)), actual.TileIds.OrderBy(t => (t.Z, t.X, t.Y)));
        foreach (var id in expected.TileIds)
        {
            Assert.True(expected.TryGetTile(id, out var a) & actual.TryGetTile(id, out var b));
            Assert.True(a.Mvt.Span.SequenceEqual(b.Mvt.Span), $"tile {id} differs");
        }
    }

    /// <summary>Dedicated threads; counts what it is given.</summary>
    private sealed class CountingScheduler : TaskScheduler, IDisposable
    {
        private readonly BlockingCollection<Task> _queue = [];
        private readonly Thread[] _threads;
        private int _queued;

        public CountingScheduler(int threads)
        {
            _threads = [.. Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                foreach (var task in _queue.GetConsumingEnumerable())
                {
                    TryExecuteTask(task);
                }
            })
            { IsBackground = true })];
            foreach (var thread in _threads)
            {
                thread.Start();
            }
        }

        public int Queued => Volatile.Read(ref _queued);

        public override int MaximumConcurrencyLevel => _threads.Length;

        public void Dispose() => _queue.CompleteAdding();

        protected override void QueueTask(Task task)
        {
            Interlocked.Increment(ref _queued);
            _queue.Add(task);
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
            _threads.Contains(Thread.CurrentThread) && TryExecuteTask(task);

        protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];
    }
}
