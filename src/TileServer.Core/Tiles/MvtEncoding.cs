using System.Text;

namespace TileServer.Core.Tiles;

/// <summary>
/// A growable protobuf output buffer: varints, tags and length-delimited fields, as the Mapbox Vector Tile 2.1
/// schema (vector_tile.proto) needs them. Not thread-safe: one per worker.
/// </summary>
internal sealed class ProtoBuffer
{
    private byte[] _bytes = new byte[1024];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, Length);

    public void Clear() => Length = 0;

    public void WriteVarint(ulong value)
    {
        Ensure(10);
        while (value >= 0x80)
        {
            _bytes[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _bytes[Length++] = (byte)value;
    }

    public void WriteTag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    public void WriteBytesField(int field, ReadOnlySpan<byte> bytes)
    {
        WriteTag(field, 2);
        WriteVarint((ulong)bytes.Length);
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_bytes.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteStringField(int field, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteTag(field, 2);
        WriteVarint((ulong)count);
        Ensure(count);
        Length += Encoding.UTF8.GetBytes(value, _bytes.AsSpan(Length));
    }

    public void WriteDoubleField(int field, double value)
    {
        WriteTag(field, 1);
        Ensure(8);
        BitConverter.TryWriteBytes(_bytes.AsSpan(Length), value);
        Length += 8;
    }

    public void WritePackedField(int field, ReadOnlySpan<uint> values)
    {
        var size = 0;
        foreach (var v in values)
        {
            size += VarintSize(v);
        }

        WriteTag(field, 2);
        WriteVarint((ulong)size);
        foreach (var v in values)
        {
            WriteVarint(v);
        }
    }

    private static int VarintSize(uint value) => value switch
    {
        < 1u << 7 => 1,
        < 1u << 14 => 2,
        < 1u << 21 => 3,
        < 1u << 28 => 4,
        _ => 5,
    };

    private void Ensure(int more)
    {
        if (Length + more > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + more));
        }
    }
}

/// <summary>One feature attribute: a key index into the layer's keys and a text or number value.</summary>
internal readonly record struct FeatureProperty(int Key, string? Text, double Number);

/// <summary>
/// Writes one MVT 2.1 layer (version 2, name, features, keys, values, extent) into a tile. Values are deduplicated
/// within the layer; integral numbers are written as <c>sint_value</c>, others as <c>double_value</c> (exact; a
/// float would show 36.52 as 36.52000045776367 in a browser). Not thread-safe: one per worker, reused.
/// </summary>
/// <remarks>
/// Why not NetTopologySuite.IO.VectorTiles.Mapbox's writer: it takes features in degrees and quantises them itself,
/// so the validity repairs that must happen after quantisation (collapsed rings, spikes, winding) could not be
/// applied, and it needs an IFeature and AttributesTable per feature and tile. The benchmark
/// <c>TileBuildBenchmarks</c> runs the library path as the baseline (see benchmarks/README.md, Tiles).
/// </remarks>
internal sealed class MvtLayerWriter
{
    private readonly ProtoBuffer _features = new();
    private readonly ProtoBuffer _feature = new();
    private readonly ProtoBuffer _values = new();
    private readonly ProtoBuffer _value = new();
    private readonly Dictionary<string, int> _textValues = new(StringComparer.Ordinal);
    private readonly Dictionary<double, int> _numberValues = [];
    private uint[] _tags = new uint[64];
    private int _valueCount;

    public int FeatureCount { get; private set; }

    public void Reset()
    {
        _features.Clear();
        _values.Clear();
        _textValues.Clear();
        _numberValues.Clear();
        _valueCount = 0;
        FeatureCount = 0;
    }

    /// <param name="type">The feature's MVT geometry type; <paramref name="geometry"/> holds its commands.</param>
    public void AddFeature(ulong? id, ReadOnlySpan<FeatureProperty> properties, MvtGeometryType type, ReadOnlySpan<uint> geometry)
    {
        if (_tags.Length < properties.Length * 2)
        {
            _tags = new uint[properties.Length * 2];
        }

        for (var i = 0; i < properties.Length; i++)
        {
            _tags[2 * i] = (uint)properties[i].Key;
            _tags[2 * i + 1] = (uint)ValueIndex(properties[i]);
        }

        _feature.Clear();
        if (id is { } value)
        {
            _feature.WriteTag(1, 0);
            _feature.WriteVarint(value);
        }

        if (properties.Length > 0)
        {
            _feature.WritePackedField(2, _tags.AsSpan(0, properties.Length * 2));
        }

        _feature.WriteTag(3, 0);
        _feature.WriteVarint((ulong)type);
        _feature.WritePackedField(4, geometry);
        _features.WriteBytesField(2, _feature.Written);
        FeatureCount++;
    }

    /// <summary>Appends the layer as field 3 of a tile message.</summary>
    public void WriteTo(ProtoBuffer tile, ProtoBuffer scratch, string name, IReadOnlyList<string> keys, int extent)
    {
        scratch.Clear();
        scratch.WriteTag(15, 0);
        scratch.WriteVarint(2);
        scratch.WriteStringField(1, name);
        scratch.WriteBytes(_features.Written);
        foreach (var key in keys)
        {
            scratch.WriteStringField(3, key);
        }

        scratch.WriteBytes(_values.Written);
        scratch.WriteTag(5, 0);
        scratch.WriteVarint((ulong)extent);
        tile.WriteBytesField(3, scratch.Written);
    }

    private int ValueIndex(FeatureProperty property)
    {
        if (property.Text is { } text)
        {
            if (!_textValues.TryGetValue(text, out var index))
            {
                index = _textValues[text] = _valueCount++;
                _value.Clear();
                _value.WriteStringField(1, text);
                _values.WriteBytesField(4, _value.Written);
            }

            return index;
        }

        if (!_numberValues.TryGetValue(property.Number, out var number))
        {
            number = _numberValues[property.Number] = _valueCount++;
            _value.Clear();
            var v = property.Number;
            if (Math.Abs(v) < 1L << 53 && v == Math.Floor(v))
            {
                var integer = (long)v;
                _value.WriteTag(6, 0);
                _value.WriteVarint((ulong)((integer << 1) ^ (integer >> 63)));
            }
            else
            {
                _value.WriteDoubleField(3, v);
            }

            _values.WriteBytesField(4, _value.Written);
        }

        return number;
    }
}

/// <summary>
/// MVT geometry command encoding (MoveTo, LineTo, ClosePath, zig-zag deltas from a cursor that starts at 0,0 for
/// each feature). Not thread-safe: one per worker, reused.
/// </summary>
internal sealed class GeometryCommands
{
    private uint[] _commands = new uint[256];
    private int _x;
    private int _y;

    public int Length { get; private set; }

    public ReadOnlySpan<uint> Written => _commands.AsSpan(0, Length);

    public void Reset()
    {
        Length = 0;
        _x = 0;
        _y = 0;
    }

    /// <summary>Where the commands stand (length and cursor), to roll back to.</summary>
    public readonly record struct Position(int Length, int X, int Y);

    public Position Mark() => new(Length, _x, _y);

    public void Restore(Position position) => (Length, _x, _y) = (position.Length, position.X, position.Y);

    /// <summary>A closed ring given without its closing point: x0, y0, x1, y1, ...</summary>
    public void AddRing(ReadOnlySpan<int> xy)
    {
        var points = xy.Length / 2;
        Ensure(points * 2 + 3);
        Command(1, 1);
        Delta(xy[0], xy[1]);
        Command(2, points - 1);
        for (var i = 1; i < points; i++)
        {
            Delta(xy[2 * i], xy[2 * i + 1]);
        }

        Command(7, 1);
    }

    public void AddPoint(int x, int y)
    {
        Ensure(3);
        Command(1, 1);
        Delta(x, y);
    }

    private void Command(int id, int count) => _commands[Length++] = (uint)((id & 0x7) | (count << 3));

    private void Delta(int x, int y)
    {
        var dx = x - _x;
        var dy = y - _y;
        _commands[Length++] = (uint)((dx << 1) ^ (dx >> 31));
        _commands[Length++] = (uint)((dy << 1) ^ (dy >> 31));
        _x = x;
        _y = y;
    }

    private void Ensure(int more)
    {
        if (Length + more > _commands.Length)
        {
            Array.Resize(ref _commands, Math.Max(_commands.Length * 2, Length + more));
        }
    }
}
