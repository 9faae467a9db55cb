using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace TileServer.Core.Snapshots;

/// <summary>
/// Appends the values of one snapshot section: little-endian scalars (<see cref="BinaryPrimitives"/>), UTF-8 strings
/// with their byte length (-1 for null), and arrays of unmanaged values as their count then their bytes as laid out in
/// memory (<see cref="MemoryMarshal.AsBytes{T}(ReadOnlySpan{T})"/>), which is little-endian on every host the file is
/// written on (<see cref="SnapshotFile"/> refuses big-endian hosts).
/// </summary>
/// <remarks>Thread safety: none; one writer per section.</remarks>
internal sealed class SnapshotSectionWriter
{
    private readonly MemoryStream _bytes = new();
    private readonly byte[] _scratch = new byte[8];

    public long Length => _bytes.Length;

    public Stream Stream => _bytes;

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(_scratch, value);
        _bytes.Write(_scratch, 0, 4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(_scratch, value);
        _bytes.Write(_scratch, 0, 8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(_scratch, value);
        _bytes.Write(_scratch, 0, 8);
    }

    public void WriteByte(byte value) => _bytes.WriteByte(value);

    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt32(bytes.Length);
        _bytes.Write(bytes);
    }

    public void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        WriteInt32(values.Length);
        _bytes.Write(MemoryMarshal.AsBytes(values));
    }

    public byte[] ToArray() => _bytes.ToArray();
}

/// <summary>
/// Reads the values of one snapshot section as <see cref="SnapshotSectionWriter"/> wrote them. Every read checks the
/// bytes that remain before it allocates, so a damaged section is an <see cref="InvalidDataException"/> naming the
/// section, never an out-of-memory or an index error.
/// </summary>
/// <remarks>Thread safety: none; one reader per section.</remarks>
internal sealed class SnapshotSectionReader(string section, byte[] bytes)
{
    private int _position;

    public bool AtEnd => _position == bytes.Length;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public byte ReadByte() => Take(1)[0];

    /// <summary>A count written before a list: non-negative and at most one per <paramref name="minBytesEach"/> remaining bytes.</summary>
    public int ReadCount(int minBytesEach = 1)
    {
        var count = ReadInt32();
        return count >= 0 && (long)count * minBytesEach <= bytes.Length - _position
            ? count
            : throw Damaged($"a count of {count} that the section cannot hold");
    }

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw Damaged($"a string length of {length}");
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    public string ReadRequiredString() => ReadString() ?? throw Damaged("a missing string");

    public T[] ReadArray<T>()
        where T : unmanaged
    {
        // Unsafe.SizeOf, not Marshal.SizeOf: the latter is the size when marshalled (1 for char), not in memory.
        var size = Unsafe.SizeOf<T>();
        var count = ReadCount(size);
        var values = new T[count];
        Take(count * size).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public ReadOnlySpan<byte> ReadBytes(int length) => Take(length);

    /// <summary>A count-prefixed run of bytes (as <see cref="SnapshotSectionWriter.WriteArray{T}"/> of bytes wrote it), in place: a slice of the section, not a copy.</summary>
    public ReadOnlyMemory<byte> ReadBlob() => ReadMemory(ReadCount());

    /// <summary>The next <paramref name="length"/> bytes, in place.</summary>
    public ReadOnlyMemory<byte> ReadMemory(int length)
    {
        var start = _position;
        Take(length);
        return bytes.AsMemory(start, length);
    }

    public InvalidDataException Damaged(string what) =>
        new($"section '{section}' is damaged at byte {_position}: {what}");

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > bytes.Length - _position)
        {
            throw Damaged($"it ends {length - (bytes.Length - _position)} bytes early");
        }

        var span = bytes.AsSpan(_position, length);
        _position += length;
        return span;
    }
}
