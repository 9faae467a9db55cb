using System.IO.Compression;

namespace TileServer.Core.Storage;

/// <summary>Gzip and Brotli helpers shared by the MBTiles and PMTiles readers and writers (and the host's static files).</summary>
public static class TileCompression
{
    /// <summary>True when the bytes start with the gzip magic number (RFC 1952: 1f 8b).</summary>
    public static bool IsGzip(ReadOnlySpan<byte> data) => data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b;

    public static byte[] Gzip(ReadOnlySpan<byte> data)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return buffer.ToArray();
    }

    /// <summary>Most bytes a blob read from an archive may decompress to (a tile or a directory): a bound against a corrupt or hostile archive.</summary>
    public const int MaxDecompressedBytes = 64 << 20;

    /// <exception cref="InvalidDataException">Not gzip, or more than <paramref name="maxBytes"/> once decompressed.</exception>
    public static byte[] Gunzip(ReadOnlyMemory<byte> data, int maxBytes = int.MaxValue) => Decompress(data, stream => new GZipStream(stream, CompressionMode.Decompress), maxBytes);

    /// <exception cref="InvalidDataException">Not Brotli, or more than <paramref name="maxBytes"/> once decompressed.</exception>
    public static byte[] Unbrotli(ReadOnlyMemory<byte> data, int maxBytes = int.MaxValue) => Decompress(data, stream => new BrotliStream(stream, CompressionMode.Decompress), maxBytes);

    private static byte[] Decompress(ReadOnlyMemory<byte> data, Func<Stream, Stream> decompressor, int maxBytes)
    {
        using var input = new ReadOnlyMemoryStream(data);
        using var stream = decompressor(input);
        using var output = new MemoryStream((int)Math.Min(Math.Min(data.Length * 4L, Array.MaxLength), maxBytes));
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if (output.Length + read > maxBytes)
            {
                throw new InvalidDataException($"a compressed blob of {data.Length} bytes expands beyond {maxBytes} bytes");
            }

            output.Write(buffer, 0, read);
        }

        return output.ToArray();
    }

    /// <summary>A read-only stream over memory, so that decompression copies nothing up front.</summary>
    private sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, data.Length - _position);
            data.Span.Slice(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
