using System.Text.Json;
using TileServer.Core.Caching;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// A tileset read from a PMTiles v3 archive (https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md) by byte
/// ranges, wherever it is stored (<see cref="IRangeReader"/>: a local file, an HTTP(S) URL, an S3 object): the
/// <see cref="PmTilesHeader"/>, the root directory and the JSON metadata (<c>vector_layers</c> and the descriptive
/// keys) are read at open; leaf directories and tiles when a tile needs them, through a bounded in-memory cache.
/// Directories and metadata may be uncompressed, gzip or Brotli; tiles uncompressed, gzip or Brotli (zstd is refused
/// with a clear error).
/// </summary>
/// <remarks>
/// <para>Open reads the first 16 KiB, where the spec puts the header and the root directory, then the metadata: two
/// requests to object storage. A tile is found as the reference readers do: its Hilbert TileID is binary-searched in
/// the root directory (run lengths included); an entry with run length 0 points to a leaf directory, searched the
/// same way (at most four levels deep). Leaf directories (decoded) and tiles (the stored bytes as the gzip
/// representation, and the decompressed MVT) are cached by their offset in a <see cref="BlobCache{TValue}"/> of
/// <c>cacheBytes</c>, shared between identical tiles (the writer stores each distinct tile once). A tile found in the
/// cache, with its directories, is answered synchronously and allocates nothing.</para>
/// <para>The archive is pinned at open (<see cref="IRangeReader"/>): once its storage holds another one, reads throw
/// <see cref="TileArchiveChangedException"/>, <see cref="Changed"/> is raised once, and no bytes of the new archive are
/// ever mixed with the old directories; tiles already cached still answer (they are the opened archive's). Corrupt
/// leaf directories or tiles, found when first read, are <see cref="TileStorageException"/>s naming the archive.</para>
/// <para>Thread safety: immutable apart from the cache, which is thread safe; any number of concurrent readers.</para>
/// </remarks>
public sealed class PmTilesSource : ITileSource
{
    /// <summary>Default bound of the cache when none is given (<c>Tiles:CacheBytes</c>'s default).</summary>
    public const long DefaultCacheBytes = TilesOptions.DefaultCacheBytes;

    private const int MaxDirectoryDepth = 4;

    /// <summary>Bytes an entry costs in the cache besides its arrays (object headers, the cache entry).</summary>
    private const int EntryOverhead = 96;

    private readonly IRangeReader _reader;
    private readonly PmTilesEntry[] _root;
    private readonly BlobCache<object> _cache;
    private int _changed;

    private PmTilesSource(IRangeReader reader, PmTilesHeader header, TilesetInfo info, PmTilesEntry[] root, long cacheBytes)
    {
        _reader = reader;
        Header = header;
        Info = info;
        _root = root;
        _cache = new BlobCache<object>(cacheBytes);
        LeafDirectories = root.Count(e => e.RunLength == 0);
    }

    /// <summary>Raised once, when a read finds that the archive in storage is no longer the one opened.</summary>
    public event Action<TileArchiveChangedException>? Changed;

    public PmTilesHeader Header { get; }

    public TilesetInfo Info { get; }

    /// <summary>The path or URL of the archive.</summary>
    public string Name => _reader.Name;

    /// <summary>Leaf directories the root directory points to.</summary>
    public int LeafDirectories { get; }

    /// <summary>The SHA-256 digest naming the archive's content (<see cref="IRangeReader.ContentIdentity"/>): what the dataset version takes.</summary>
    public string ContentIdentity => _reader.ContentIdentity;

    /// <summary>The first 16 hex digits of <see cref="ContentIdentity"/>: what the tiles' validators name.</summary>
    public string ContentVersion => ContentIdentity[..16];

    /// <summary>Bytes held by the tile and directory cache now.</summary>
    public long CachedBytes => _cache.Bytes;

    /// <summary>True once a read found that the archive in storage changed.</summary>
    public bool HasChanged => Volatile.Read(ref _changed) != 0;

    /// <summary>Every tile the directories address (reads every leaf directory, through the cache).</summary>
    public IEnumerable<TileId> TileIds => Enumerate(_root, 0);

    /// <summary>Opens a local PMTiles file with the default cache.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable PMTiles v3 archive; the message says why.</exception>
    public static PmTilesSource Open(string path, long cacheBytes = DefaultCacheBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such PMTiles file", file);
        }

        return OpenAsync(FileRangeReader.Open(file), null, cacheBytes, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Opens the archive <paramref name="reader"/> reads.</summary>
    /// <param name="head">The archive's first bytes when the reader's open already fetched them, else null.</param>
    /// <param name="cacheBytes">Bound of the leaf directory and tile cache.</param>
    /// <exception cref="InvalidDataException">Not a readable PMTiles v3 archive; the message names it and says why.</exception>
    public static async Task<PmTilesSource> OpenAsync(IRangeReader reader, byte[]? head, long cacheBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        try
        {
            head ??= await reader.ReadAsync(0, (int)Math.Min(PmTilesHeader.MaxHeaderAndRootBytes, reader.Length), cancellationToken).ConfigureAwait(false);
            var header = PmTilesHeader.Read(head);
            Within(reader, header.RootDirectoryOffset, header.RootDirectoryLength, "root directory");
            Within(reader, header.JsonMetadataOffset, header.JsonMetadataLength, "JSON metadata");
            Within(reader, header.LeafDirectoriesOffset, header.LeafDirectoriesLength, "leaf directories");
            Within(reader, header.TileDataOffset, header.TileDataLength, "tile data");
            var rootBytes = header.RootDirectoryOffset + header.RootDirectoryLength <= (ulong)head.Length
                ? head.AsMemory((int)header.RootDirectoryOffset, (int)header.RootDirectoryLength)
                : await ReadSectionAsync(reader, header.RootDirectoryOffset, header.RootDirectoryLength, "root directory", cancellationToken).ConfigureAwait(false);
            var root = Directory(header, Decompress(rootBytes, header.InternalCompression, "root directory"), "root directory");
            var metadata = header.JsonMetadataLength == 0
                ? ReadOnlyMemory<byte>.Empty
                : Decompress(await ReadSectionAsync(reader, header.JsonMetadataOffset, header.JsonMetadataLength, "JSON metadata", cancellationToken).ConfigureAwait(false),
                    header.InternalCompression, "JSON metadata");
            return new PmTilesSource(reader, header, ReadInfo(header, metadata, reader.Name), root, cacheBytes);
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{reader.Name}: {e.Message}", e);
        }
    }

    public bool TryGetTile(TileId id, out EncodedTile tile)
    {
        var read = GetTileAsync(id, CancellationToken.None);
        tile = (read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult())!;
        return tile is not null;
    }

    /// <summary>The tile, or null when the archive has none at <paramref name="id"/>; synchronous when it and its directories are cached.</summary>
    /// <exception cref="TileArchiveChangedException">The archive in storage changed since it was opened.</exception>
    /// <exception cref="TileStorageException">The storage failed, or a leaf directory or the tile is corrupt.</exception>
    public ValueTask<EncodedTile?> GetTileAsync(TileId id, CancellationToken cancellationToken)
    {
        if (!id.IsValid)
        {
            return ValueTask.FromResult<EncodedTile?>(null);
        }

        var tileId = PmTilesTileId.FromTile(id);
        var entries = _root;
        for (var depth = 0; depth <= MaxDirectoryDepth; depth++)
        {
            var index = Find(entries, tileId);
            if (index < 0)
            {
                return ValueTask.FromResult<EncodedTile?>(null);
            }

            var entry = entries[index];
            if (entry.RunLength > 0)
            {
                if (tileId - entry.TileId >= entry.RunLength)
                {
                    return ValueTask.FromResult<EncodedTile?>(null);
                }

                return _cache.TryGet(TileKey(entry), out var cached)
                    ? ValueTask.FromResult<EncodedTile?>((EncodedTile)cached)
                    : SlowAsync(tileId, entries, depth, cancellationToken);
            }

            if (!_cache.TryGet(LeafKey(entry), out var leaf))
            {
                return SlowAsync(tileId, entries, depth, cancellationToken);
            }

            entries = (PmTilesEntry[])leaf;
        }

        throw new TileStorageException($"{Name}: leaf directories nest deeper than {MaxDirectoryDepth} levels");
    }

    /// <summary>The rest of <see cref="GetTileAsync"/> from <paramref name="entries"/> at <paramref name="depth"/>, reading what the cache lacks.</summary>
    private async ValueTask<EncodedTile?> SlowAsync(ulong tileId, PmTilesEntry[] entries, int depth, CancellationToken cancellationToken)
    {
        for (; depth <= MaxDirectoryDepth; depth++)
        {
            var index = Find(entries, tileId);
            if (index < 0)
            {
                return null;
            }

            var entry = entries[index];
            if (entry.RunLength > 0)
            {
                return tileId - entry.TileId < entry.RunLength ? await TileAsync(entry, cancellationToken).ConfigureAwait(false) : null;
            }

            entries = await LeafAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        throw new TileStorageException($"{Name}: leaf directories nest deeper than {MaxDirectoryDepth} levels");
    }

    private async Task<EncodedTile> TileAsync(PmTilesEntry entry, CancellationToken cancellationToken) =>
        (EncodedTile)await _cache.GetOrLoadAsync(TileKey(entry), async _ =>
        {
            var blob = await ReadAsync(Header.TileDataOffset + entry.Offset, entry.Length, "tile").ConfigureAwait(false);
            var tile = Decode(blob, Header.TileCompression, entry);
            return (tile, tile.Mvt.Length + tile.Gzip.Length + EntryOverhead);
        }, cancellationToken).ConfigureAwait(false);

    private async Task<PmTilesEntry[]> LeafAsync(PmTilesEntry entry, CancellationToken cancellationToken) =>
        (PmTilesEntry[])await _cache.GetOrLoadAsync(LeafKey(entry), async _ =>
        {
            var bytes = await ReadAsync(Header.LeafDirectoriesOffset + entry.Offset, entry.Length, "leaf directory").ConfigureAwait(false);
            var what = $"leaf directory at offset {entry.Offset}";
            try
            {
                var leaf = Directory(Header, Decompress(bytes, Header.InternalCompression, what), what);
                return (leaf, (leaf.Length * 24L) + EntryOverhead);
            }
            catch (InvalidDataException e)
            {
                throw new TileStorageException(e.Message.StartsWith(what, StringComparison.Ordinal) ? $"{Name}: {e.Message}" : $"{Name}: {what}: {e.Message}", e);
            }
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Reads from storage without the caller's token: the read fills the cache for every caller waiting on it (<see cref="BlobCache{TValue}"/>).</summary>
    private async Task<byte[]> ReadAsync(ulong offset, uint length, string what)
    {
        try
        {
            return await _reader.ReadAsync(checked((long)offset), checked((int)length), CancellationToken.None).ConfigureAwait(false);
        }
        catch (TileArchiveChangedException e)
        {
            if (Interlocked.Exchange(ref _changed, 1) == 0)
            {
                Changed?.Invoke(e);
            }

            throw;
        }
        catch (OverflowException e)
        {
            throw new TileStorageException($"{Name}: {what} at offset {offset}, {length} bytes, is out of range", e);
        }
    }

    private IEnumerable<TileId> Enumerate(PmTilesEntry[] entries, int depth)
    {
        foreach (var entry in entries)
        {
            if (entry.RunLength > 0)
            {
                for (var run = 0UL; run < entry.RunLength; run++)
                {
                    yield return PmTilesTileId.ToTile(entry.TileId + run);
                }
            }
            else if (depth >= MaxDirectoryDepth)
            {
                throw new TileStorageException($"{Name}: leaf directories nest deeper than {MaxDirectoryDepth} levels");
            }
            else
            {
                foreach (var id in Enumerate(LeafAsync(entry, CancellationToken.None).GetAwaiter().GetResult(), depth + 1))
                {
                    yield return id;
                }
            }
        }
    }

    /// <summary>The index of the last entry whose TileID is at most <paramref name="tileId"/>, or -1.</summary>
    private static int Find(PmTilesEntry[] entries, ulong tileId)
    {
        int low = 0, high = entries.Length - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            if (entries[middle].TileId <= tileId)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }

    /// <summary>Cache keys: tiles by their data offset (identical tiles share one), leaves by theirs, apart by the low bit.</summary>
    private static long TileKey(PmTilesEntry entry) => (long)(entry.Offset << 1);

    private static long LeafKey(PmTilesEntry entry) => (long)((entry.Offset << 1) | 1);

    /// <summary>A decoded directory, checked: runs in order without overlap, tiles inside the tile data, leaves inside the leaf directories.</summary>
    private static PmTilesEntry[] Directory(PmTilesHeader header, ReadOnlyMemory<byte> bytes, string what)
    {
        var entries = PmTilesDirectory.Deserialize(bytes.Span);
        for (var i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (i > 0 && entries[i - 1].RunLength > 0 && entries[i - 1].TileId + entries[i - 1].RunLength > entry.TileId)
            {
                throw new InvalidDataException($"{what}: entries overlap or are out of order at TileID {entry.TileId}");
            }

            var (section, length) = entry.RunLength > 0 ? ("tile data", header.TileDataLength) : ("leaf directories", header.LeafDirectoriesLength);
            if (entry.Offset > length || entry.Length > length - entry.Offset)
            {
                throw new InvalidDataException($"{what}: entry at TileID {entry.TileId} points at offset {entry.Offset}, {entry.Length} bytes, beyond the {section} ({length} bytes)");
            }
        }

        return entries;
    }

    private static void Within(IRangeReader reader, ulong offset, ulong length, string what)
    {
        if (offset > (ulong)reader.Length || length > (ulong)reader.Length - offset)
        {
            throw new InvalidDataException($"{what} at offset {offset}, {length} bytes, lies beyond the end of the archive ({reader.Length} bytes)");
        }
    }

    private static async Task<ReadOnlyMemory<byte>> ReadSectionAsync(IRangeReader reader, ulong offset, ulong length, string what, CancellationToken cancellationToken) =>
        length > TileCompression.MaxDecompressedBytes
            ? throw new InvalidDataException($"{what} of {length} bytes is larger than {TileCompression.MaxDecompressedBytes} bytes")
            : await reader.ReadAsync((long)offset, (int)length, cancellationToken).ConfigureAwait(false);

    private static TilesetInfo ReadInfo(PmTilesHeader header, ReadOnlyMemory<byte> json, string name)
    {
        using var document = json.IsEmpty ? JsonDocument.Parse("{}") : JsonDocument.Parse(json);
        var root = document.RootElement;
        return new TilesetInfo(
            TilesetJson.String(root, "name") ?? Path.GetFileNameWithoutExtension(name),
            TilesetJson.String(root, "description") ?? "",
            TilesetJson.String(root, "attribution") ?? "",
            TilesetJson.String(root, "version") ?? "",
            header.MinZoom,
            header.MaxZoom,
            [
                PmTilesHeader.FromE7(header.MinLongitudeE7), PmTilesHeader.FromE7(header.MinLatitudeE7),
                PmTilesHeader.FromE7(header.MaxLongitudeE7), PmTilesHeader.FromE7(header.MaxLatitudeE7),
            ],
            [PmTilesHeader.FromE7(header.CenterLongitudeE7), PmTilesHeader.FromE7(header.CenterLatitudeE7), header.CenterZoom],
            TilesetJson.ReadVectorLayers(root, header.MinZoom, header.MaxZoom));
    }

    /// <summary>The tile's MVT bytes and gzip bytes, whatever the archive's tile compression.</summary>
    private EncodedTile Decode(byte[] blob, PmTilesCompression compression, PmTilesEntry entry)
    {
        try
        {
            switch (compression)
            {
                case PmTilesCompression.Gzip:
                    return new EncodedTile(TileCompression.Gunzip(blob, TileCompression.MaxDecompressedBytes), blob);
                case PmTilesCompression.None:
                    return new EncodedTile(blob, TileCompression.Gzip(blob));
                case PmTilesCompression.Brotli:
                    var mvt = TileCompression.Unbrotli(blob, TileCompression.MaxDecompressedBytes);
                    return new EncodedTile(mvt, TileCompression.Gzip(mvt));
                default:
                    throw new InvalidDataException($"tile compression {compression} is not supported (gzip, Brotli or none)");
            }
        }
        catch (InvalidDataException e)
        {
            throw new TileStorageException($"{Name}: tile at TileID {entry.TileId} (offset {entry.Offset}, {entry.Length} bytes): {e.Message}", e);
        }
    }

    private static ReadOnlyMemory<byte> Decompress(ReadOnlyMemory<byte> bytes, PmTilesCompression compression, string what) => compression switch
    {
        PmTilesCompression.None => bytes,
        PmTilesCompression.Gzip => TileCompression.Gunzip(bytes, TileCompression.MaxDecompressedBytes),
        PmTilesCompression.Brotli => TileCompression.Unbrotli(bytes, TileCompression.MaxDecompressedBytes),
        _ => throw new InvalidDataException($"{what}: internal compression {compression} is not supported (gzip, Brotli or none)"),
    };
}
