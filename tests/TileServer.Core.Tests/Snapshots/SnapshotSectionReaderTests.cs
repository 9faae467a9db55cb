using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using TileServer.Core.Snapshots;

namespace TileServer.Core.Tests.Snapshots;

/// <summary>
/// A section whose bytes end before what they promise is refused before anything is read past its end or allocated,
/// with one message naming the section and the byte, whether it is read from memory (<see cref="SnapshotSectionReader"/>)
/// or straight from the file (<see cref="SnapshotFileSectionReader"/>). The sections are written here byte by byte,
/// not with the snapshot's writer, and the expected messages are spelled out.
/// </summary>
public sealed class SnapshotSectionReaderTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"section-{Guid.NewGuid():N}.bin");
    private readonly List<SafeFileHandle> _handles = [];

    public void Dispose()
    {
        _handles.ForEach(handle => handle.Dispose());
        File.Delete(_file);
    }

    public static TheoryData<bool> Readers => [false, true];

    [Theory]
    [MemberData(nameof(Readers))]
    public void An_int_cut_short_is_damage_at_its_first_byte(bool fromFile)
    {
        var reader = Reader(fromFile, [1, 2]);

        var error = Assert.Throws<InvalidDataException>(() => reader.ReadInt32());

        Assert.Equal("section 'cut' is damaged at byte 0: it ends 2 bytes early", error.Message);
    }

    /// <summary>Counts of 3 doubles (24 bytes) and -1, each followed by 16 bytes.</summary>
    public static TheoryData<bool, int> Counts => new() { { false, 3 }, { true, 3 }, { false, -1 }, { true, -1 } };

    [Theory]
    [MemberData(nameof(Counts))]
    public void A_count_the_rest_of_the_section_cannot_hold_is_refused_before_the_array_is_allocated(bool fromFile, int count)
    {
        var bytes = new byte[4 + 16];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, count);
        var reader = Reader(fromFile, bytes);

        var error = Assert.Throws<InvalidDataException>(() => ReadDoubles(reader));

        Assert.Equal($"section 'cut' is damaged at byte 4: a count of {count} that the section cannot hold", error.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_count_that_fits_reads_the_values_and_reaches_the_end(bool fromFile)
    {
        var bytes = new byte[4 + 16];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, 2);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(4), -1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(12), 1e300);
        var reader = Reader(fromFile, bytes);

        Assert.Equal([-1.5, 1e300], ReadDoubles(reader));
        Assert.True(reader.AtEnd);
    }

    [Fact]
    public void The_file_reader_stops_at_its_section_not_at_the_end_of_the_file()
    {
        // The section is the first 6 bytes of a file of 14: an int, then 2 bytes; the next 8 belong to another section.
        File.WriteAllBytes(_file, [7, 0, 0, 0, 1, 2, 9, 9, 9, 9, 9, 9, 9, 9]);
        using var handle = File.OpenHandle(_file);
        var reader = new SnapshotFileSectionReader(handle, "cut", 0, 6);

        Assert.Equal(7, reader.ReadInt32());
        var error = Assert.Throws<InvalidDataException>(() => reader.ReadDouble());

        Assert.Equal("section 'cut' is damaged at byte 4: it ends 6 bytes early", error.Message);
    }

    private SnapshotSectionBounds Reader(bool fromFile, byte[] bytes)
    {
        if (!fromFile)
        {
            return new SnapshotSectionReader("cut", bytes);
        }

        // The section sits after other bytes and before more, as in a snapshot file.
        File.WriteAllBytes(_file, [.. new byte[5], .. bytes, .. new byte[32]]);
        var handle = File.OpenHandle(_file);
        _handles.Add(handle);
        return new SnapshotFileSectionReader(handle, "cut", 5, bytes.Length);
    }

    private static double[] ReadDoubles(SnapshotSectionBounds reader) => reader switch
    {
        SnapshotSectionReader memory => memory.ReadArray<double>(),
        SnapshotFileSectionReader file => file.ReadArray<double>(),
        _ => throw new ArgumentOutOfRangeException(nameof(reader)),
    };
}
