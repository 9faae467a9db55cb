using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

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
/// Where a reader is in a section of known length, and the checks both section readers make with it before they read
/// or allocate: a count the remaining bytes cannot hold and a read past the end are an <see cref="InvalidDataException"/>
/// naming the section and the byte ("section '…' is damaged at byte …"), never an out-of-memory or an index error.
/// </summary>
/// <remarks>Thread safety: none; one reader per section.</remarks>
internal abstract class SnapshotSectionBounds(string section, long length)
{
    protected string Section => section;

    /// <summary>The bytes read so far.</summary>
    protected long Position { get; private set; }

    public bool AtEnd => Position == length;

    public abstract int ReadInt32();

    /// <summary>A count written before a list: non-negative and at most one per <paramref name="minBytesEach"/> remaining bytes.</summary>
    public int ReadCount(int minBytesEach = 1)
    {
        var count = ReadInt32();
        return count >= 0 && (long)count * minBytesEach <= length - Position
            ? count
            : throw Damaged($"a count of {count} that the section cannot hold");
    }

    public InvalidDataException Damaged(string what) => new($"section '{section}' is damaged at byte {Position}: {what}");

    /// <summary>Claims the next <paramref name="count"/> bytes (all of them left, or damage); returns where they start.</summary>
    protected long Advance(int count)
    {
        if (count < 0 || count > length - Position)
        {
            throw Damaged($"it ends {count - (length - Position)} bytes early");
        }

        var start = Position;
        Position += count;
        return start;
    }
}

/// <summary>
/// Reads the values of one snapshot section, held in memory, as <see cref="SnapshotSectionWriter"/> wrote them, with
/// the checks of <see cref="SnapshotSectionBounds"/>.
/// </summary>
/// <remarks>Thread safety: none; one reader per section.</remarks>
internal sealed class SnapshotSectionReader(string section, byte[] bytes) : SnapshotSectionBounds(section, bytes.Length)
{
    public override int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public byte ReadByte() => Take(1)[0];

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
    public ReadOnlyMemory<byte> ReadMemory(int length) => bytes.AsMemory((int)Advance(length), length);

    private ReadOnlySpan<byte> Take(int length) => bytes.AsSpan((int)Advance(length), length);
}

/// <summary>
/// Reads a section of scalars and count-prefixed arrays (as <see cref="SnapshotSectionWriter"/> wrote them) straight
/// from the file into the arrays it returns: one copy, and no array of the whole section beside them. It checksums what
/// it reads; nothing read may be trusted before <see cref="Verify"/> has passed. The checks before each read and
/// allocation are <see cref="SnapshotSectionBounds"/>'s, as for <see cref="SnapshotSectionReader"/>.
/// </summary>
/// <remarks>Thread safety: none; one reader per section.</remarks>
internal sealed class SnapshotFileSectionReader(SafeFileHandle handle, string section, long offset, long length)
    : SnapshotSectionBounds(section, length)
{
    private readonly XxHash3 _hash = new();

    public override int ReadInt32()
    {
        Span<byte> bytes = stackalloc byte[4];
        Fill(bytes);
        return BinaryPrimitives.ReadInt32LittleEndian(bytes);
    }

    public double ReadDouble()
    {
        Span<byte> bytes = stackalloc byte[8];
        Fill(bytes);
        return BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }

    public T[] ReadArray<T>()
        where T : unmanaged
    {
        var count = ReadCount(Unsafe.SizeOf<T>());

        // Uninitialised: every byte is overwritten from the file just below.
        var values = GC.AllocateUninitializedArray<T>(count);
        Fill(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>Checks that the whole section was read (else <paramref name="leftOver"/> names the damage) and that its checksum is <paramref name="hash"/>.</summary>
    public void Verify(ulong hash, string leftOver)
    {
        if (!AtEnd)
        {
            throw Damaged(leftOver);
        }

        if (_hash.GetCurrentHashAsUInt64() != hash)
        {
            throw new InvalidDataException($"section '{Section}' is corrupt (its checksum does not match)");
        }
    }

    private void Fill(Span<byte> destination)
    {
        var start = offset + Advance(destination.Length);
        for (var filled = 0; filled < destination.Length;)
        {
            var read = RandomAccess.Read(handle, destination[filled..], start + filled);
            if (read <= 0)
            {
                throw new InvalidDataException($"section '{Section}' ends early: the file is shorter than its section table says");
            }

            filled += read;
        }

        _hash.Append(destination);
    }
}
