namespace TileServer.Core.Dataset;

/// <summary>
/// Holds the dataset snapshot that requests read. A reload builds a complete new snapshot off to the side and
/// <see cref="Publish"/> swaps the reference in one atomic write, so a request sees the old snapshot or the new one,
/// never a mix; a failed load publishes nothing and the last good snapshot stays.
/// </summary>
/// <remarks>Thread safety: safe for any number of readers and writers.</remarks>
public sealed class DatasetStore
{
    private readonly TaskCompletionSource<DatasetSnapshot> _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DatasetSnapshot? _current;

    /// <summary>The current snapshot, or null before the first load has finished.</summary>
    public DatasetSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Completes with the first snapshot published, or faults if the first load fails.</summary>
    public Task<DatasetSnapshot> FirstLoad => _firstLoad.Task;

    /// <summary>The current snapshot; throws when none is loaded (callers check readiness first).</summary>
    public DatasetSnapshot Snapshot => Current ?? throw new InvalidOperationException("no dataset is loaded yet");

    public void Publish(DatasetSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Volatile.Write(ref _current, snapshot);
        _firstLoad.TrySetResult(snapshot);
    }

    /// <summary>Records that the first load failed (later failures leave the published snapshot in place).</summary>
    public void FirstLoadFailed(Exception error) => _firstLoad.TrySetException(error);
}
