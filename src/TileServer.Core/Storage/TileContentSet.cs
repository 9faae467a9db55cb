namespace TileServer.Core.Storage;

/// <summary>
/// Numbers distinct byte contents in the order they are first seen, comparing the bytes exactly (a hash picks the
/// bucket, equality is byte-for-byte), so that identical tiles are stored once.
/// </summary>
/// <remarks>Thread safety: none; one writer or reader builds it while opening a file.</remarks>
internal sealed class TileContentSet<TValue>
{
    private readonly Dictionary<ReadOnlyMemory<byte>, TValue> _values = new(ContentComparer.Instance);

    public int Count => _values.Count;

    /// <summary>The value stored for these bytes, or the one <paramref name="create"/> makes on first sight.</summary>
    public TValue GetOrAdd(ReadOnlyMemory<byte> content, Func<ReadOnlyMemory<byte>, TValue> create, out bool added)
    {
        if (_values.TryGetValue(content, out var existing))
        {
            added = false;
            return existing;
        }

        var value = create(content);
        _values.Add(content, value);
        added = true;
        return value;
    }

    private sealed class ContentComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly ContentComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        public int GetHashCode(ReadOnlyMemory<byte> obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj.Span);
            return hash.ToHashCode();
        }
    }
}
