namespace TileServer.Dataset;

/// <summary>
/// Holds the <see cref="ServedDataset"/> that requests read. A load builds a complete new one off to the side and
/// <see cref="Publish"/> swaps the reference in one atomic write, so a request sees the old dataset or the new one,
/// never a mix; a failed load publishes nothing and the last good dataset stays.
/// </summary>
/// <remarks>Thread safety: safe for any number of readers and writers.</remarks>
public sealed class DatasetStore
{
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ServedDataset? _current;

    /// <summary>The dataset being served, or null before the first load has finished.</summary>
    public ServedDataset? Current => Volatile.Read(ref _current);

    /// <summary>
    /// Completes when the first dataset is published, or faults if the first load fails. It carries no dataset: a
    /// completed task holds its result for the life of the process, so it would keep the first dataset's memory after
    /// every reload (read <see cref="Current"/>).
    /// </summary>
    public Task FirstLoad => _firstLoad.Task;

    public void Publish(ServedDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        Volatile.Write(ref _current, dataset);
        _firstLoad.TrySetResult();
    }

    /// <summary>Records that the first load failed (later failures leave the published dataset in place).</summary>
    public void FirstLoadFailed(Exception error) => _firstLoad.TrySetException(error);
}
