using System.IO.Compression;
using System.Text.Json;
using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

public sealed class PmTilesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_tile_reads_back_equal_to_the_source()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("poverty.pmtiles");
        var report = PmTilesWriter.Write(source, path);

        var read = PmTilesSource.Open(path);

        TileAssert.SameTiles(source, read);
        Assert.Equal(new FileInfo(path).Length, report.FileBytes);
        Assert.False(read.TryGetTile(new TileId(8, 0, 0), out _));
        Assert.False(read.TryGetTile(new TileId(9, 0, 0), out _));
        Assert.Equal(0, read.LeafDirectories);
    }

    [Fact]
    public void Header_fields_follow_the_spec()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("poverty.pmtiles");
        PmTilesWriter.Write(source, path);

        var bytes = File.ReadAllBytes(path);
        Assert.Equal("PMTiles"u8.ToArray(), bytes[..7]);
        Assert.Equal(3, bytes[7]);
        var header = PmTilesHeader.Read(bytes);
        Assert.True(header.Clustered);
        Assert.Equal(PmTilesCompression.Gzip, header.InternalCompression);
        Assert.Equal(PmTilesCompression.Gzip, header.TileCompression);
        Assert.Equal(PmTilesTileType.Mvt, header.TileType);
        Assert.Equal((0, 8), (header.MinZoom, header.MaxZoom));
        Assert.Equal((-813_300_000, -183_500_000, -686_500_000, -400_000), (header.MinLongitudeE7, header.MinLatitudeE7, header.MaxLongitudeE7, header.MaxLatitudeE7));
        Assert.Equal((5, -750_000_000, -95_000_000), (header.CenterZoom, header.CenterLongitudeE7, header.CenterLatitudeE7));

        // Sections in the recommended order, back to back, the root inside the first 16 KiB.
        Assert.Equal(127UL, header.RootDirectoryOffset);
        Assert.Equal(header.RootDirectoryOffset + header.RootDirectoryLength, header.JsonMetadataOffset);
        Assert.Equal(header.JsonMetadataOffset + header.JsonMetadataLength, header.LeafDirectoriesOffset);
        Assert.Equal(header.LeafDirectoriesOffset + header.LeafDirectoriesLength, header.TileDataOffset);
        Assert.Equal((ulong)bytes.Length, header.TileDataOffset + header.TileDataLength);
        Assert.True(header.RootDirectoryOffset + header.RootDirectoryLength <= 16_384);

        // Counts: every tile addressed; the 16 x 16 block of one content is one run; duplicates stored once.
        var tileCount = (ulong)source.TileIds.Count();
        Assert.Equal(tileCount, header.AddressedTiles);
        Assert.Equal((ulong)source.DistinctContents, header.TileContents);
        Assert.True(header.TileEntries <= tileCount - 255, $"{header.TileEntries} entries for {tileCount} tiles: the run was not merged");
        Assert.True(header.TileContents < header.TileEntries);
    }

    [Fact]
    public void Tile_data_is_clustered_in_TileID_order_with_back_references_for_duplicates()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("poverty.pmtiles");
        PmTilesWriter.Write(source, path);

        var bytes = File.ReadAllBytes(path);
        var header = PmTilesHeader.Read(bytes);
        var root = Gunzip(bytes.AsSpan((int)header.RootDirectoryOffset, (int)header.RootDirectoryLength));
        var entries = PmTilesDirectory.Deserialize(root);
        Assert.All(entries, e => Assert.True(e.RunLength > 0));
        Assert.Equal(header.TileEntries, (ulong)entries.Length);
        Assert.Equal(header.AddressedTiles, entries.Aggregate(0UL, (sum, e) => sum + e.RunLength));

        var end = 0UL;
        var back = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            Assert.True(i == 0 || entries[i].TileId >= entries[i - 1].TileId + entries[i - 1].RunLength);
            if (entries[i].Offset == end)
            {
                end += entries[i].Length;
            }
            else
            {
                Assert.True(entries[i].Offset < end, $"entry {i} jumps ahead to offset {entries[i].Offset}");
                back++;
            }

            // The blob at the entry is the source tile's gzip bytes.
            var tile = PmTilesTileId.ToTile(entries[i].TileId);
            Assert.True(source.TryGetTile(tile, out var expected));
            Assert.Equal(expected.Gzip.ToArray(), bytes.AsSpan((int)(header.TileDataOffset + entries[i].Offset), (int)entries[i].Length).ToArray());
        }

        Assert.Equal(header.TileDataLength, end);
        Assert.True(back > 0);
        Assert.Equal(header.TileEntries - header.TileContents, (ulong)back);
    }

    [Fact]
    public void Metadata_is_gzip_json_with_vector_layers_and_reads_back()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("poverty.pmtiles");
        PmTilesWriter.Write(source, path);

        var bytes = File.ReadAllBytes(path);
        var header = PmTilesHeader.Read(bytes);
        using var json = JsonDocument.Parse(Gunzip(bytes.AsSpan((int)header.JsonMetadataOffset, (int)header.JsonMetadataLength)));
        Assert.Equal("synthetic", json.RootElement.GetProperty("name").GetString());
        Assert.Equal("overlay", json.RootElement.GetProperty("type").GetString());
        Assert.Equal(source.Info.Attribution, json.RootElement.GetProperty("attribution").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("vector_layers").GetArrayLength());

        var info = PmTilesSource.Open(path).Info;
        TileAssert.SameLayers(source.Info, info);
        Assert.Equal((source.Info.Name, source.Info.Description, source.Info.Version), (info.Name, info.Description, info.Version));
        Assert.Equal((0, 8), (info.MinZoom, info.MaxZoom));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(source.Info.Bounds[i], info.Bounds[i], 1e-7);
        }

        Assert.Equal(source.Info.Center, info.Center);
    }

    [Fact]
    public void A_large_tileset_goes_to_leaf_directories_and_reads_back()
    {
        var source = SyntheticTileSource.Dense(7);
        var path = _folder.File("dense.pmtiles");
        var report = PmTilesWriter.Write(source, path);

        var read = PmTilesSource.Open(path);

        Assert.Equal(21_845, report.AddressedTiles);
        Assert.True(read.Header.TileEntries >= 16_384, $"{read.Header.TileEntries} entries: too few to need leaves");
        Assert.True(read.Header.LeafDirectoriesLength > 0);
        Assert.True(read.LeafDirectories >= 2, $"{read.LeafDirectories} leaf directories");
        Assert.True(read.Header.RootDirectoryOffset + read.Header.RootDirectoryLength <= 16_384);
        TileAssert.SameTiles(source, read);
    }

    [Fact]
    public void A_directory_encodes_as_the_spec_says()
    {
        PmTilesEntry[] entries = [new(0, 0, 10, 1), new(1, 10, 5, 1), new(5, 0, 10, 3), new(300, 15, 200, 1)];

        var raw = Gunzip(PmTilesDirectory.Serialize(entries));

        // Count; TileIDs as deltas; run lengths; lengths; offsets (0 = follows the previous blob, else offset + 1).
        byte[] expected = [4, 0, 1, 4, 0xa7, 0x02, 1, 1, 3, 1, 10, 5, 10, 0xc8, 0x01, 1, 0, 1, 16];
        Assert.Equal(expected, raw);
        Assert.Equal(entries, PmTilesDirectory.Deserialize(raw));
    }

    [Fact]
    public void Concurrent_readers_see_every_tile()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("poverty.pmtiles");
        PmTilesWriter.Write(source, path);

        TileAssert.SameTilesUnderConcurrentReads(source, PmTilesSource.Open(path));
    }

    [Fact]
    public void A_file_that_is_not_PMTiles_is_an_error_naming_it()
    {
        var path = _folder.File("not.pmtiles");
        File.WriteAllText(path, new string('x', 200));

        var error = Assert.Throws<InvalidDataException>(() => PmTilesSource.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("magic", error.Message);

        var truncated = _folder.File("truncated.pmtiles");
        PmTilesWriter.Write(SyntheticTileSource.Small(), truncated);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.Contains("tile data", Assert.Throws<InvalidDataException>(() => PmTilesSource.Open(truncated)).Message);
    }

    [Fact]
    public void A_hand_made_archive_with_uncompressed_sections_in_another_order_reads()
    {
        // Root directory: 0/0/0 -> "AAA"; a run of 2 from TileID 1 (1/0/0, 1/0/1) -> "BB", which follows "AAA".
        byte[] root = [2, 0, 1, 1, 2, 3, 2, 1, 0];
        var data = "AAABB"u8.ToArray();
        var metadata = """{"name":"hand","vector_layers":[{"id":"districts","fields":{}}]}"""u8.ToArray();
        // Tile data before the metadata: the spec lets sections other than the header move.
        var header = new PmTilesHeader
        {
            RootDirectoryOffset = 127,
            RootDirectoryLength = (ulong)root.Length,
            TileDataOffset = (ulong)(127 + root.Length),
            TileDataLength = (ulong)data.Length,
            JsonMetadataOffset = (ulong)(127 + root.Length + data.Length),
            JsonMetadataLength = (ulong)metadata.Length,
            LeafDirectoriesOffset = (ulong)(127 + root.Length + data.Length + metadata.Length),
            InternalCompression = PmTilesCompression.None,
            TileCompression = PmTilesCompression.None,
            TileType = PmTilesTileType.Mvt,
            MinZoom = 0,
            MaxZoom = 1,
        };
        var bytes = new byte[127];
        header.Write(bytes);
        var path = _folder.File("hand.pmtiles");
        File.WriteAllBytes(path, [.. bytes, .. root, .. data, .. metadata]);

        var read = PmTilesSource.Open(path);

        Assert.Equal([new TileId(0, 0, 0), new TileId(1, 0, 0), new TileId(1, 0, 1)], read.TileIds);
        Assert.True(read.TryGetTile(new TileId(1, 0, 1), out var tile));
        Assert.Equal("BB"u8.ToArray(), tile.Mvt.ToArray());
        Assert.Equal("BB"u8.ToArray(), Gunzip(tile.Gzip.Span));
        Assert.True(read.TryGetTile(new TileId(0, 0, 0), out var first));
        Assert.Equal("AAA"u8.ToArray(), first.Mvt.ToArray());
        Assert.False(read.TryGetTile(new TileId(1, 1, 1), out _));
        Assert.Equal("hand", read.Info.Name);
        Assert.Equal("districts", Assert.Single(read.Info.VectorLayers).Id);
    }

    [Fact]
    public void An_empty_tileset_is_refused_and_no_file_is_left()
    {
        var path = _folder.File("empty.pmtiles");

        var error = Assert.Throws<InvalidOperationException>(() => PmTilesWriter.Write(SyntheticTileSource.Empty(), path));

        Assert.Contains("no tiles", error.Message);
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    private static byte[] Gunzip(ReadOnlySpan<byte> bytes)
    {
        using var input = new MemoryStream(bytes.ToArray());
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}
