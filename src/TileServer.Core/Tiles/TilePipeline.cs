using System.Collections.Concurrent;

namespace TileServer.Core.Tiles;

/// <summary>
/// A work queue with one worker per core: items post further items (a zoom posts its tiles), and the queue ends
/// when the producer and every posted item are done. A failing item fails the build, after the others finish.
/// </summary>
/// <remarks>
/// The workers are tasks on <see cref="TaskScheduler.Current"/> (the scheduler the dataset load runs on, so that a
/// host can run a reload at low priority), one fewer than the scheduler may run at once (at most one per core), and
/// the thread that runs the producer becomes a worker once it is done: so a scheduler with one thread still finishes.
/// </remarks>
internal sealed class TilePipeline
{
    /// <summary>The priority of steps that start further work (a zoom's preparation, its finishing steps).</summary>
    public const int Urgent = int.MinValue;

    private readonly PriorityQueue<Action<TileWorker>, (int Priority, long Order)> _queue = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private long _order;
    private int _outstanding = 1;
    private bool _completed;

    /// <summary>Queues an item; lower priorities run first, then in the order posted.</summary>
    public void Post(Action<TileWorker> item, int priority)
    {
        Interlocked.Increment(ref _outstanding);
        lock (_queue)
        {
            _queue.Enqueue(item, (priority, _order++));
            Monitor.Pulse(_queue);
        }
    }

    /// <summary>Posts one item per element at <paramref name="priority"/>, and <paramref name="then"/> (urgent) once the last of them is done.</summary>
    public void ForAll<T>(IReadOnlyList<T> elements, int priority, Action<TileWorker, T> each, Action then)
    {
        if (elements.Count == 0)
        {
            Post(_ => then(), Urgent);
            return;
        }

        var left = elements.Count;
        foreach (var element in elements)
        {
            Post(
                worker =>
                {
                    each(worker, element);
                    if (Interlocked.Decrement(ref left) == 0)
                    {
                        Post(_ => then(), Urgent);
                    }
                },
                priority);
        }
    }

    /// <summary>Runs <paramref name="producer"/> on this thread while the workers take the queue; returns the overlay fallbacks.</summary>
    public int Run(Action producer)
    {
        var scheduler = TaskScheduler.Current;
        var count = Math.Max(1, Math.Min(Environment.ProcessorCount, scheduler.MaximumConcurrencyLevel) - 1);
        var workers = Enumerable.Range(0, count).Select(_ => Task.Factory.StartNew(
            Work,
            CancellationToken.None,
            scheduler == TaskScheduler.Default ? TaskCreationOptions.LongRunning : TaskCreationOptions.None,
            scheduler)).ToArray();
        Attempt(producer);
        var fallbacks = Work();

        // Each worker waited for on its own: one that never started is then run here (and finds the queue ended).
        Task.WaitAll(workers);
        fallbacks += workers.Sum(w => w.Result);
        return _errors.IsEmpty ? fallbacks : throw new AggregateException(_errors);
    }

    /// <summary>Takes items until the queue ends; returns the worker's overlay fallbacks.</summary>
    private int Work()
    {
        var worker = new TileWorker();
        while (Take() is { } item)
        {
            Attempt(() => item(worker));
        }

        return worker.Clipper.Fallbacks;
    }

    private Action<TileWorker>? Take()
    {
        lock (_queue)
        {
            while (true)
            {
                if (_queue.TryDequeue(out var item, out _))
                {
                    return item;
                }

                if (_completed)
                {
                    return null;
                }

                Monitor.Wait(_queue);
            }
        }
    }

    private void Attempt(Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _errors.Enqueue(e);
        }
        finally
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                lock (_queue)
                {
                    _completed = true;
                    Monitor.PulseAll(_queue);
                }
            }
        }
    }
}
