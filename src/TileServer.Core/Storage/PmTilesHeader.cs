using System.Buffers.Binary;

namespace TileServer.Core.Storage;

/// <summary>PMTiles v3 compression of directories and metadata (internal) or of tiles.</summary>
public enum PmTilesCompression : byte
{
    Unknown = 0,
    None = 1,
    Gzip = 2,
    Brotli = 3,
    Zstd = 4,
}

/// <summary>PMTiles v3 tile type.</summary>
public enum PmTilesTileType : byte
{
    Unknown = 0,
    Mvt = 1,
    Png = 2,
    Jpeg = 3,
    Webp = 4,
    Avif = 5,
}

/// <summary>
/// The fixed 127-byte PMTiles v3 header (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md, section 3):
/// magic <c>PMTiles</c>, spec version 3, then little-endian offsets and lengths of the root directory, JSON metadata,
/// leaf directories and tile data; the addressed-tile, tile-entry and tile-content counts; the clustered flag; the
/// internal and tile compressions; the tile type; the zoom range; bounds and center as longitude/latitude × 10^7.
/// </summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed record PmTilesHeader
{
    /// <summary>The header's size in bytes.</summary>
    public const int Length = 127;

    /// <summary>The spec requires the header and the root directory within the first 16,384 bytes.</summary>
    public const int MaxHeaderAndRootBytes = 16_384;

    private static ReadOnlySpan<byte> Magic => "PMTiles"u8;

    public byte SpecVersion { get; init; } = 3;

    public ulong RootDirectoryOffset { get; init; }

    public ulong RootDirectoryLength { get; init; }

    public ulong JsonMetadataOffset { get; init; }

    public ulong JsonMetadataLength { get; init; }

    public ulong LeafDirectoriesOffset { get; init; }

    public ulong LeafDirectoriesLength { get; init; }

    public ulong TileDataOffset { get; init; }

    public ulong TileDataLength { get; init; }

    /// <summary>Tiles a reader can look up: the sum of the entries' run lengths.</summary>
    public ulong AddressedTiles { get; init; }

    /// <summary>Directory entries with a run length above zero.</summary>
    public ulong TileEntries { get; init; }

    /// <summary>Distinct blobs in the tile data section.</summary>
    public ulong TileContents { get; init; }

    /// <summary>Blobs are in TileID order: each offset follows the previous blob or refers back to an earlier one.</summary>
    public bool Clustered { get; init; }

    public PmTilesCompression InternalCompression { get; init; }

    public PmTilesCompression TileCompression { get; init; }

    public PmTilesTileType TileType { get; init; }

    public byte MinZoom { get; init; }

    public byte MaxZoom { get; init; }

    public int MinLongitudeE7 { get; init; }

    public int MinLatitudeE7 { get; init; }

    public int MaxLongitudeE7 { get; init; }

    public int MaxLatitudeE7 { get; init; }

    public byte CenterZoom { get; init; }

    public int CenterLongitudeE7 { get; init; }

    public int CenterLatitudeE7 { get; init; }

    /// <exception cref="InvalidDataException">Too short, not PMTiles, or not version 3.</exception>
    public static PmTilesHeader Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Length || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a PMTiles archive (no 'PMTiles' magic number in the first 127 bytes)");
        }

        if (bytes[7] != 3)
        {
            throw new InvalidDataException($"PMTiles spec version {bytes[7]} is not supported (only version 3)");
        }

        return new PmTilesHeader
        {
            SpecVersion = bytes[7],
            RootDirectoryOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            RootDirectoryLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            JsonMetadataOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]),
            JsonMetadataLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[32..]),
            LeafDirectoriesOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[40..]),
            LeafDirectoriesLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[48..]),
            TileDataOffset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[56..]),
            TileDataLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes[64..]),
            AddressedTiles = BinaryPrimitives.ReadUInt64LittleEndian(bytes[72..]),
            TileEntries = BinaryPrimitives.ReadUInt64LittleEndian(bytes[80..]),
            TileContents = BinaryPrimitives.ReadUInt64LittleEndian(bytes[88..]),
            Clustered = bytes[96] == 1,
            InternalCompression = (PmTilesCompression)bytes[97],
            TileCompression = (PmTilesCompression)bytes[98],
            TileType = (PmTilesTileType)bytes[99],
            MinZoom = bytes[100],
            MaxZoom = bytes[101],
            MinLongitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[102..]),
            MinLatitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[106..]),
            MaxLongitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[110..]),
            MaxLatitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[114..]),
            CenterZoom = bytes[118],
            CenterLongitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[119..]),
            CenterLatitudeE7 = BinaryPrimitives.ReadInt32LittleEndian(bytes[123..]),
        };
    }

    public void Write(Span<byte> bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes.Length, Length, nameof(bytes));
        Magic.CopyTo(bytes);
        bytes[7] = SpecVersion;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], RootDirectoryOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], RootDirectoryLength);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], JsonMetadataOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[32..], JsonMetadataLength);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[40..], LeafDirectoriesOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[48..], LeafDirectoriesLength);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[56..], TileDataOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[64..], TileDataLength);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[72..], AddressedTiles);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[80..], TileEntries);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[88..], TileContents);
        bytes[96] = Clustered ? (byte)1 : (byte)0;
        bytes[97] = (byte)InternalCompression;
        bytes[98] = (byte)TileCompression;
        bytes[99] = (byte)TileType;
        bytes[100] = MinZoom;
        bytes[101] = MaxZoom;
        BinaryPrimitives.WriteInt32LittleEndian(bytes[102..], MinLongitudeE7);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[106..], MinLatitudeE7);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[110..], MaxLongitudeE7);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[114..], MaxLatitudeE7);
        bytes[118] = CenterZoom;
        BinaryPrimitives.WriteInt32LittleEndian(bytes[119..], CenterLongitudeE7);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[123..], CenterLatitudeE7);
    }

    /// <summary>Degrees to the header's fixed-point integers (× 10^7, rounded).</summary>
    public static int ToE7(double degrees) => checked((int)Math.Round(degrees * 1e7));

    public static double FromE7(int value) => value / 1e7;
}
