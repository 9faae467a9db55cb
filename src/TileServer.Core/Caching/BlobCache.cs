using System.Collections.Concurrent;

namespace TileServer.Core.Caching;

/// <summary>
/// A bounded in-memory cache of blobs (an archive's tiles and leaf directories, tiles built on request) by key, holding at most
/// <see cref="Capacity"/> bytes as the loaders measure them. Concurrent misses of one key load it once; when an insert
/// takes the total over the capacity, the least recently used entries are dropped until it is under 90% of it (the
/// slack keeps eviction rounds rare).
/// </summary>
/// <remarks>
/// <para>Why not <c>Microsoft.Extensions.Caching.Memory</c>: its <c>TryGetValue(object)</c> boxes a numeric key, so
/// every tile hit would allocate, and the tile path allocates nothing (pinned by the allocation tests). A hit here is
/// one <see cref="ConcurrentDictionary{TKey, TValue}"/> read and one store of the clock in the entry.</para>
/// <para>Recency is <see cref="Environment.TickCount64"/> (millisecond resolution, no shared counter between cores),
/// which is all an approximate LRU needs. An eviction round sorts the entries by last use under a lock, O(n log n) for
/// n entries, and frees a tenth of the capacity, so its cost is spread over as many inserts.</para>
/// <para>Thread safety: any number of concurrent readers and loaders.</para>
/// </remarks>
internal sealed class BlobCache<TValue>
    where TValue : class
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<long, Lazy<Task<TValue>>> _loading = new();
    private readonly Lock _evicting = new();
    private long _bytes;

    /// <param name="capacity">Most bytes held; 0 keeps nothing (every read goes to storage).</param>
    public BlobCache(long capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    public long Capacity { get; }

    /// <summary>Bytes held now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public int Count => _entries.Count;

    public bool TryGet(long key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            entry.LastUsed = Environment.TickCount64;
            value = entry.Value;
            return true;
        }

        value = null!;
        return false;
    }

    /// <summary>
    /// The cached value, or the value <paramref name="load"/> makes (once for concurrent callers), cached when it fits.
    /// The load runs without the caller's token, so that one caller going away does not fail the others; each caller
    /// stops waiting when its own token is cancelled.
    /// </summary>
    /// <param name="load">Makes the value and its size in bytes.</param>
    public async ValueTask<TValue> GetOrLoadAsync(long key, Func<long, Task<(TValue Value, long Bytes)>> load, CancellationToken cancellationToken)
    {
        if (TryGet(key, out var cached))
        {
            return cached;
        }

        var loading = _loading.GetOrAdd(key, k => new Lazy<Task<TValue>>(() => LoadAsync(k, load)));
        return await loading.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<TValue> LoadAsync(long key, Func<long, Task<(TValue Value, long Bytes)>> load)
    {
        try
        {
            var (value, bytes) = await load(key).ConfigureAwait(false);
            Add(key, value, bytes);
            return value;
        }
        finally
        {
            _loading.TryRemove(key, out _);
        }
    }

    /// <summary>Caches a value made elsewhere (kept only when it fits; a key already held keeps its value).</summary>
    public void Add(long key, TValue value, long bytes)
    {
        if (bytes > Capacity || !_entries.TryAdd(key, new Entry(value, bytes) { LastUsed = Environment.TickCount64 }))
        {
            return;
        }

        if (Interlocked.Add(ref _bytes, bytes) > Capacity)
        {
            Evict();
        }
    }

    private void Evict()
    {
        lock (_evicting)
        {
            var target = Capacity - (Capacity / 10);
            if (Interlocked.Read(ref _bytes) <= Capacity)
            {
                return;
            }

            var oldestFirst = _entries.ToArray();
            Array.Sort(oldestFirst, (a, b) => a.Value.LastUsed.CompareTo(b.Value.LastUsed));
            foreach (var (key, entry) in oldestFirst)
            {
                if (Interlocked.Read(ref _bytes) <= target)
                {
                    break;
                }

                if (_entries.TryRemove(key, out var removed))
                {
                    Interlocked.Add(ref _bytes, -removed.Bytes);
                }
            }
        }
    }

    private sealed class Entry(TValue value, long bytes)
    {
        public TValue Value { get; } = value;

        public long Bytes { get; } = bytes;

        public long LastUsed { get; set; }
    }
}
