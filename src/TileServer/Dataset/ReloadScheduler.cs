using System.Collections.Concurrent;
using TileServer.Infrastructure;

namespace TileServer.Dataset;

/// <summary>
/// The threads that build reloads: one per core, started once, at nice value <c>Dataset:ReloadNiceness</c>
/// (<see cref="ThreadNiceness"/>), and a <see cref="TaskScheduler"/> over them, which the load hands to every parallel
/// loop and to the tile build's workers (<see cref="Core.Dataset.DatasetLoader"/>). Linux's scheduler gives a
/// runnable thread at nice 10 about a tenth of the CPU of one at nice 0 (weights 110 and 1024), so a reload takes
/// mostly the CPU that requests leave rather than half of it, and a busy server's answers keep their latency while it
/// builds.
/// </summary>
/// <remarks>
/// <para>
/// A thread started by a thread of lower priority inherits it, and the thread pool starts its threads from whichever
/// thread queues work when it needs one: work queued from these threads could leave request threads at nice 19 for
/// the life of the process. So nothing here queues to the thread pool: <see cref="RunAsync{T}"/> hands its result
/// back through a wait handle that a thread-pool wait (registered by the caller) observes, and the tasks run here
/// have no continuations; <c>ReloadSchedulerTests</c> checks that after a reload no other thread has a raised nice value.
/// The runtime's own threads follow the same rule, which Server GC (the server's default) keeps by collecting on its own
/// threads; workstation GC starts its background thread from the thread that needs it, so <see cref="DatasetReloader"/>
/// warns when reloads build at a raised nice value under it.
/// </para>
/// <para>Thread safety: safe from any thread.</para>
/// </remarks>
public sealed class ReloadScheduler : TaskScheduler, IDisposable
{
    /// <summary>The name of the threads (Linux shows it as the thread's <c>comm</c>).</summary>
    public const string ThreadName = "dataset-reload";

    [ThreadStatic]
    private static ReloadScheduler? CurrentOwner;

    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;
    private int _prioritySet;

    /// <param name="threads">Threads, at least 1.</param>
    /// <param name="niceness">The threads' nice value, 0 (as requests) to 19 (the lowest priority).</param>
    public ReloadScheduler(int threads, int niceness)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(niceness);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(niceness, 19);
        Niceness = niceness;
        _threads = [.. Enumerable.Range(0, threads).Select(_ => new Thread(Work) { IsBackground = true, Name = ThreadName })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    /// <summary>The nice value the threads asked for.</summary>
    public int Niceness { get; }

    /// <summary>Why a thread could not lower its priority (it then runs at the priority it had), or null.</summary>
    public string? PriorityError { get; private set; }

    /// <summary>Threads that have lowered their priority (all of them, soon after start, unless <see cref="PriorityError"/>).</summary>
    public int ThreadsAtNiceness => Volatile.Read(ref _prioritySet);

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>
    /// Runs <paramref name="work"/> on one of the threads (its parallel work on all of them, through
    /// <see cref="TaskScheduler.Current"/>); the task completes on a thread-pool thread, never on the low-priority ones.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new ManualResetEvent(false);
        T result = default!;
        Exception? error = null;

        // The wait thread that observes the handle is the thread pool's, started (if it is not yet) by this caller.
        RegisteredWaitHandle? registration = null;
        registration = ThreadPool.UnsafeRegisterWaitForSingleObject(
            finished,
            (_, _) =>
            {
                // Set before the work is queued below, so before the handle can be signalled.
                registration!.Unregister(null);
                finished.Dispose();
                if (error is null)
                {
                    answer.SetResult(result);
                }
                else
                {
                    answer.SetException(error);
                }
            },
            null,
            Timeout.Infinite,
            executeOnlyOnce: true);
        Task.Factory.StartNew(
            () =>
            {
                try
                {
                    result = work();
                }
                catch (Exception e)
                {
                    error = e;
                }
                finally
                {
                    finished.Set();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.DenyChildAttach,
            this);
        return answer.Task;
    }

    /// <summary>Lets the threads end once the queued tasks have run.</summary>
    public void Dispose() => _queue.CompleteAdding();

    protected override void QueueTask(Task task) => _queue.Add(task);

    /// <summary>Only on these threads: a task waited on elsewhere must not run at the waiter's priority.</summary>
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => CurrentOwner == this && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];

    private void Work()
    {
        CurrentOwner = this;
        if (ThreadNiceness.TryLowerCurrentThread(Niceness, out var error))
        {
            Interlocked.Increment(ref _prioritySet);
        }
        else
        {
            PriorityError = error;
        }

        foreach (var task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
