using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace TileServer.Core.Storage;

/// <summary>
/// Byte ranges of a local file, or of a section of one (the tiles inside a snapshot file), by positional reads
/// (<see cref="RandomAccess"/>, <c>pread</c>): nothing is read until asked for, so an archive of many gigabytes is
/// served within the tile cache's memory.
/// </summary>
/// <remarks>
/// The file stays open while the reader lives (the handle is closed by its finalizer once the reader is dropped, as a
/// replaced snapshot's is). A file replaced by a rename (<c>mv</c>, and the way <c>export-tiles</c> writes) leaves
/// this handle on the old bytes, which stay consistent; a file written over in place is detected: every read checks
/// that the file's length and modification time are those seen at open, and throws
/// <see cref="TileArchiveChangedException"/> otherwise. Thread safety: positional reads share no file position; any
/// number of concurrent reads.
/// </remarks>
public sealed class FileRangeReader : IRangeReader
{
    private readonly SafeFileHandle _handle;
    private readonly long _start;
    private readonly long _fileLength;
    private readonly DateTime _modified;
    private readonly Lazy<string> _contentIdentity;

    private FileRangeReader(string path, SafeFileHandle handle, long start, long length)
    {
        Name = path;
        _handle = handle;
        _start = start;
        Length = length;
        _fileLength = RandomAccess.GetLength(handle);
        _modified = File.GetLastWriteTimeUtc(handle);
        _contentIdentity = new Lazy<string>(HashContent);
    }

    public string Name { get; }

    public long Length { get; }

    /// <summary>The SHA-256 of the bytes in range (computed on first use: it reads them all once).</summary>
    public string ContentIdentity => _contentIdentity.Value;

    /// <summary>Opens the file, or the <paramref name="length"/> bytes of it from <paramref name="start"/>.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">The section lies beyond the end of the file.</exception>
    public static FileRangeReader Open(string path, long start = 0, long? length = null)
    {
        var file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such file", file);
        }

        var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.RandomAccess);
        var fileLength = RandomAccess.GetLength(handle);
        var size = length ?? fileLength - start;
        if (start < 0 || size < 0 || start > fileLength - size)
        {
            handle.Dispose();
            throw new InvalidDataException($"{file}: {size} bytes at offset {start} lie beyond the end of the file ({fileLength} bytes)");
        }

        return new FileRangeReader(file, handle, start, size);
    }

    public ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new TileStorageException($"{Name}: {length} bytes at offset {offset} lie beyond the end of the archive ({Length} bytes)");
        }

        var bytes = new byte[length];
        var done = 0;
        while (done < length)
        {
            var read = RandomAccess.Read(_handle, bytes.AsSpan(done), _start + offset + done);
            if (read == 0)
            {
                break;
            }

            done += read;
        }

        if (done < length || RandomAccess.GetLength(_handle) != _fileLength || File.GetLastWriteTimeUtc(_handle) != _modified)
        {
            throw new TileArchiveChangedException($"{Name}: the file was written over while being served (its length or modification time changed); reload to serve the new one");
        }

        return ValueTask.FromResult(bytes);
    }

    private string HashContent()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        for (long at = 0; at < Length;)
        {
            var read = RandomAccess.Read(_handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, Length - at)), _start + at);
            if (read == 0)
            {
                throw new TileArchiveChangedException($"{Name}: the file became shorter while being read");
            }

            hash.AppendData(buffer, 0, read);
            at += read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
