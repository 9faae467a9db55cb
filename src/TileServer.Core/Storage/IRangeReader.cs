namespace TileServer.Core.Storage;

/// <summary>
/// Byte ranges of one archive in storage: a local file (<see cref="FileRangeReader"/>), an object behind HTTP
/// (<see cref="HttpRangeReader"/>) or in S3 (<see cref="S3RangeReader"/>). The archive is pinned at open: every read
/// returns bytes of the archive as it was then, or throws <see cref="TileArchiveChangedException"/> once the storage
/// holds another one (a changed ETag, length or modification time), so a reader never mixes two archives.
/// </summary>
/// <remarks>Thread safety: implementations allow any number of concurrent reads.</remarks>
public interface IRangeReader
{
    /// <summary>The path or URL, for messages.</summary>
    string Name { get; }

    /// <summary>Length of the archive in bytes, as it was at open.</summary>
    long Length { get; }

    /// <summary>
    /// What names the archive's content without reading all of it, for the tileset version: for a local file the
    /// SHA-256 of its bytes; for object storage its strong ETag and length (a store's ETag changes with the content).
    /// </summary>
    string ContentIdentity { get; }

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> (within <see cref="Length"/>).</summary>
    /// <exception cref="TileArchiveChangedException">The storage now holds another archive.</exception>
    /// <exception cref="TileStorageException">The storage did not answer, or answered something else than the range.</exception>
    ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken);
}

/// <summary>A tile archive or its storage cannot be used: unreachable, not answering ranges, or corrupt.</summary>
public class TileStorageException : IOException
{
    public TileStorageException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public TileStorageException()
    {
    }

    public TileStorageException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The archive in storage is no longer the one opened (its ETag, length or modification time changed, or it is gone):
/// its bytes cannot be mixed with what was read before, so nothing more is read from it; a reload opens the new one.
/// </summary>
public sealed class TileArchiveChangedException : TileStorageException
{
    public TileArchiveChangedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    public TileArchiveChangedException()
    {
    }

    public TileArchiveChangedException(string message)
        : base(message)
    {
    }
}
