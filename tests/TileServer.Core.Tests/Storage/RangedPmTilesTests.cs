using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Storage;

/// <summary>
/// A PMTiles archive is read by ranges, never whole: the header, root directory and metadata at open, leaf
/// directories and tiles when asked for, through a cache bounded by bytes; and an archive changed in storage is
/// detected, never mixed with what was read before.
/// </summary>
public sealed class RangedPmTilesTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Open_reads_the_head_and_the_metadata_only_and_a_tile_reads_its_leaf_and_its_bytes_once()
    {
        var source = SyntheticTileSource.Dense(7);
        var path = _folder.File("dense.pmtiles");
        PmTilesWriter.Write(source, path);
        var reader = new CountingReader(FileRangeReader.Open(path));

        var archive = await PmTilesSource.OpenAsync(reader, null, PmTilesSource.DefaultCacheBytes, CancellationToken.None);

        Assert.True(archive.LeafDirectories >= 2);
        Assert.Equal(2, reader.Reads);
        Assert.True(reader.Bytes <= PmTilesHeader.MaxHeaderAndRootBytes + (long)archive.Header.JsonMetadataLength, $"{reader.Bytes} bytes read at open");
        var id = source.TileIds.Where(t => t.Z == 7).OrderBy(t => t.X).ThenBy(t => t.Y).Last();
        Assert.True(source.TryGetTile(id, out var want));

        var first = await archive.GetTileAsync(id, CancellationToken.None);
        Assert.Equal(4, reader.Reads);
        var again = archive.GetTileAsync(id, CancellationToken.None);
        Assert.True(again.IsCompletedSuccessfully, "a cached tile is answered synchronously");
        Assert.Equal(4, reader.Reads);
        Assert.Equal(want.Mvt.ToArray(), first!.Mvt.ToArray());
        Assert.Equal(want.Gzip.ToArray(), (await again)!.Gzip.ToArray());
        Assert.True(reader.Bytes < new FileInfo(path).Length / 4, $"{reader.Bytes} of {new FileInfo(path).Length} bytes read");
    }

    [Fact]
    public async Task A_cached_tile_through_leaf_directories_allocates_nothing()
    {
        var source = SyntheticTileSource.Dense(7);
        var path = _folder.File("dense.pmtiles");
        PmTilesWriter.Write(source, path);
        var archive = PmTilesSource.Open(path);
        var ids = source.TileIds.Where(t => t.Z >= 6).Take(64).ToArray();
        foreach (var id in ids)
        {
            Assert.NotNull(await archive.GetTileAsync(id, CancellationToken.None));
        }

        var i = 0;
        var found = 0;
        var bytes = Allocations.Measure(() =>
        {
            var read = archive.GetTileAsync(ids[i++ % ids.Length], CancellationToken.None);
            found += read.IsCompletedSuccessfully && read.Result is not null ? 1 : 0;
        });

        Assert.Equal(0, bytes);
        Assert.Equal((Allocations.Rounds + 1) * 10_000, found);
    }

    [Fact]
    public async Task The_cache_stays_within_its_bound_and_every_tile_still_reads_back()
    {
        var source = SyntheticTileSource.Dense(7);
        var path = _folder.File("dense.pmtiles");
        PmTilesWriter.Write(source, path);
        const long bound = 64 * 1024;

        var archive = await PmTilesSource.OpenAsync(FileRangeReader.Open(path), null, bound, CancellationToken.None);

        foreach (var id in source.TileIds)
        {
            Assert.True(source.TryGetTile(id, out var want));
            var got = await archive.GetTileAsync(id, CancellationToken.None);
            Assert.True(got is not null && want.Mvt.Span.SequenceEqual(got.Mvt.Span), $"tile {id}");
            Assert.True(archive.CachedBytes <= bound, $"{archive.CachedBytes} bytes cached, bound {bound}");
        }

        Assert.True(archive.CachedBytes > bound / 2, $"the cache is used: {archive.CachedBytes} bytes");
    }

    [Fact]
    public async Task Without_a_cache_every_read_goes_to_storage_and_answers_the_same()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("small.pmtiles");
        PmTilesWriter.Write(source, path);
        var reader = new CountingReader(FileRangeReader.Open(path));
        var archive = await PmTilesSource.OpenAsync(reader, null, 0, CancellationToken.None);

        TileAssert.SameTiles(source, archive);
        var id = source.TileIds.First();
        var before = reader.Reads;
        Assert.NotNull(await archive.GetTileAsync(id, CancellationToken.None));
        Assert.NotNull(await archive.GetTileAsync(id, CancellationToken.None));
        Assert.Equal(before + 2, reader.Reads);
        Assert.Equal(0, archive.CachedBytes);
    }

    [Fact]
    public async Task Concurrent_misses_of_one_tile_read_it_once()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("small.pmtiles");
        PmTilesWriter.Write(source, path);
        var reader = new CountingReader(FileRangeReader.Open(path)) { Delay = TimeSpan.FromMilliseconds(200) };
        var archive = await PmTilesSource.OpenAsync(reader, null, PmTilesSource.DefaultCacheBytes, CancellationToken.None);
        var before = reader.Reads;
        var id = source.TileIds.First();

        var tiles = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => archive.GetTileAsync(id, CancellationToken.None).AsTask()));

        Assert.Equal(before + 1, reader.Reads);
        Assert.All(tiles, tile => Assert.Same(tiles[0], tile));
    }

    [Fact]
    public async Task A_file_written_over_in_place_is_detected_and_never_mixed()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("small.pmtiles");
        PmTilesWriter.Write(source, path);
        var archive = PmTilesSource.Open(path);
        var ids = source.TileIds.OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y).ToArray();
        var cached = await archive.GetTileAsync(ids[0], CancellationToken.None);
        TileArchiveChangedException? raised = null;
        archive.Changed += e => raised = e;

        // Written over in place (the same inode, as `cp new old` does), with other bytes at the same length.
        var bytes = File.ReadAllBytes(path);
        Array.Reverse(bytes, (int)archive.Header.TileDataOffset, (int)archive.Header.TileDataLength);
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            stream.Write(bytes);
        }

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        var error = await Assert.ThrowsAsync<TileArchiveChangedException>(() => archive.GetTileAsync(ids[^1], CancellationToken.None).AsTask());
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Same(error, raised);
        Assert.True(archive.HasChanged);
        // What was read from the opened archive still answers: it is that archive's tile.
        Assert.Same(cached, await archive.GetTileAsync(ids[0], CancellationToken.None));
    }

    [Fact]
    public void A_file_replaced_by_a_rename_keeps_serving_the_archive_that_was_opened()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("small.pmtiles");
        PmTilesWriter.Write(source, path);
        var archive = PmTilesSource.Open(path);

        // PmTilesWriter writes a temporary file and renames it over the target: the open handle keeps the old inode.
        PmTilesWriter.Write(SyntheticTileSource.Dense(5), path);

        TileAssert.SameTiles(source, archive);
        Assert.False(archive.HasChanged);
    }

    [Fact]
    public async Task A_corrupt_leaf_directory_is_a_storage_error_naming_the_archive()
    {
        var source = SyntheticTileSource.Dense(7);
        var path = _folder.File("dense.pmtiles");
        PmTilesWriter.Write(source, path);
        var header = PmTilesSource.Open(path).Header;
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan((int)header.LeafDirectoriesOffset, (int)header.LeafDirectoriesLength).Fill(0x55);
        var corrupt = _folder.File("corrupt.pmtiles");
        File.WriteAllBytes(corrupt, bytes);

        var archive = PmTilesSource.Open(corrupt);
        var id = source.TileIds.First(t => t.Z == 7);

        var error = await Assert.ThrowsAsync<TileStorageException>(() => archive.GetTileAsync(id, CancellationToken.None).AsTask());
        Assert.Contains(corrupt, error.Message, StringComparison.Ordinal);
        Assert.Contains("leaf directory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_section_of_a_file_reads_as_an_archive_of_its_own()
    {
        var source = SyntheticTileSource.Small();
        var path = _folder.File("small.pmtiles");
        PmTilesWriter.Write(source, path);
        var archive = File.ReadAllBytes(path);
        var container = _folder.File("container.bin");
        File.WriteAllBytes(container, [.. new byte[1000], .. archive, .. new byte[77]]);

        var read = await PmTilesSource.OpenAsync(FileRangeReader.Open(container, 1000, archive.Length), null, PmTilesSource.DefaultCacheBytes, CancellationToken.None);

        TileAssert.SameTiles(source, read);
        Assert.Equal(TileArchive.ContentVersion(path), read.ContentVersion);
    }

    /// <summary>Counts the reads and bytes that reach the storage.</summary>
    private sealed class CountingReader(IRangeReader inner) : IRangeReader
    {
        private int _reads;
        private long _bytes;

        public TimeSpan Delay { get; init; }

        public int Reads => Volatile.Read(ref _reads);

        public long Bytes => Interlocked.Read(ref _bytes);

        public string Name => inner.Name;

        public long Length => inner.Length;

        public string ContentIdentity => inner.ContentIdentity;

        public async ValueTask<byte[]> ReadAsync(long offset, int length, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            Interlocked.Add(ref _bytes, length);
            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, cancellationToken);
            }

            return await inner.ReadAsync(offset, length, cancellationToken);
        }
    }
}
