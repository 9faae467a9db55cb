namespace TileServer.Core.Ingest;

/// <summary>Cancellation checks in the readers that say where the read had got to (the load timeout's message quotes it).</summary>
internal static class LoadCancellation
{
    /// <summary>Throws an <see cref="OperationCanceledException"/> whose message is "at <paramref name="file"/>, <paramref name="where"/>".</summary>
    public static void ThrowIfCancelled(CancellationToken token, string file, string where)
    {
        if (token.IsCancellationRequested)
        {
            throw new OperationCanceledException($"at {file}, {where}", token);
        }
    }
}
