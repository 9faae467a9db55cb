namespace TileServer.Testing;

/// <summary>
/// A read-only stream over bytes that returns at most <c>segment</c> bytes per read, as a slow client's packets
/// arrive: a <see cref="System.IO.Pipelines.PipeReader"/> over it hands a body to an incremental parser in segments of
/// that size. Linked into the Core tests and the fuzzing harness.
/// </summary>
internal sealed class SegmentedStream(byte[] bytes, int segment) : MemoryStream(bytes, writable: false)
{
    /// <summary>A pipe reader of <paramref name="body"/> in segments of <paramref name="segment"/> bytes.</summary>
    public static System.IO.Pipelines.PipeReader Reader(byte[] body, int segment) =>
        System.IO.Pipelines.PipeReader.Create(new SegmentedStream(body, segment), new System.IO.Pipelines.StreamPipeReaderOptions(bufferSize: segment, minimumReadSize: 1));

    public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, segment));

    public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, segment)]);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        base.ReadAsync(buffer, offset, Math.Min(count, segment), cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        base.ReadAsync(buffer[..Math.Min(buffer.Length, segment)], cancellationToken);
}
