using System.Text;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Tiles;

/// <summary>
/// The MVT writer's protobuf and geometry-command encoding read back by a protobuf reader written here from the
/// encoding rules (varints, wire types, length prefixes, zigzag), at the sizes where buffers grow and varints get
/// longer: the properties that decoders forgive (a length one byte off in a packed field, a value message holding two
/// strings) but the format forbids.
/// </summary>
public class MvtEncodingTests
{
    private static ulong ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>The top-level fields of a message: (field, wire type, varint value or payload).</summary>
    private static List<(int Field, int Wire, ulong Varint, byte[] Payload)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var key = ReadVarint(message, ref at);
            var (field, wire) = ((int)(key >> 3), (int)(key & 7));
            switch (wire)
            {
                case 0:
                    fields.Add((field, wire, ReadVarint(message, ref at), []));
                    break;
                case 1:
                    fields.Add((field, wire, 0, message.Slice(at, 8).ToArray()));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    fields.Add((field, wire, 0, message.Slice(at, length).ToArray()));
                    at += length;
                    break;
                default:
                    throw new InvalidDataException($"wire type {wire}");
            }
        }

        Assert.Equal(message.Length, at);
        return fields;
    }

    private static List<ulong> Packed(byte[] payload)
    {
        var values = new List<ulong>();
        var at = 0;
        while (at < payload.Length)
        {
            values.Add(ReadVarint(payload, ref at));
        }

        return values;
    }

    private static int Unzigzag(ulong value) => (int)(value >> 1) ^ -(int)(value & 1);

    [Fact]
    public void Packed_varints_at_every_length_boundary_carry_an_exact_length_prefix()
    {
        uint[] values = [0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, uint.MaxValue];
        var buffer = new ProtoBuffer();

        buffer.WritePackedField(4, values);

        var field = Assert.Single(Fields(buffer.Written));
        Assert.Equal((4, 2), (field.Field, field.Wire));
        Assert.Equal(values.Select(v => (ulong)v), Packed(field.Payload));
    }

    [Fact]
    public void Fields_longer_than_the_initial_buffer_are_written_whole()
    {
        var buffer = new ProtoBuffer();
        var text = string.Concat(Enumerable.Repeat("Ñandú ", 400));

        buffer.WriteStringField(1, text);
        buffer.WriteBytesField(2, Encoding.UTF8.GetBytes(text));

        var fields = Fields(buffer.Written);
        Assert.Equal(text, Encoding.UTF8.GetString(fields[0].Payload));
        Assert.Equal(text, Encoding.UTF8.GetString(fields[1].Payload));
    }

    [Fact]
    public void A_ring_of_many_points_is_one_move_to_one_line_to_with_its_count_zigzag_deltas_and_a_close_path()
    {
        var commands = new GeometryCommands();
        var ring = Enumerable.Range(0, 600).SelectMany(i => new[] { (int)(2000 * Math.Cos(i / 95.0)), (int)(-2000 * Math.Sin(i / 95.0)) - 100 }).ToArray();

        commands.AddPoint(5, -7);
        commands.AddRing(ring);

        var written = commands.Written.ToArray().Select(v => (ulong)v).ToList();
        Assert.Equal(3 + 1 + 2 + 1 + (2 * 599) + 1, written.Count);
        Assert.Equal([(1u | (1u << 3)), 5ul * 2, (7ul * 2) - 1], written.Take(3));
        Assert.Equal(1u | (1u << 3), written[3]);
        Assert.Equal(2u | (599u << 3), written[6]);
        Assert.Equal(7u | (1u << 3), written[^1]);
        int x = 5, y = -7;
        var points = new List<int>();
        foreach (var at in new[] { 4 }.Concat(Enumerable.Range(0, 599).Select(i => 7 + (2 * i))))
        {
            x += Unzigzag(written[at]);
            y += Unzigzag(written[at + 1]);
            points.AddRange([x, y]);
        }

        Assert.Equal(ring, points);

        // The ring filled the buffer to the last slot: a point after it must grow it again.
        commands.AddPoint(x + 1, y);
        Assert.Equal([9ul, 2ul, 0ul], commands.Written[^3..].ToArray().Select(v => (ulong)v));

        commands.Reset();
        Assert.Equal(0, commands.Length);
        commands.AddPoint(3, 4);
        Assert.Equal([9ul, 6ul, 8ul], commands.Written.ToArray().Select(v => (ulong)v));
    }

    [Fact]
    public void A_layer_writes_each_value_once_as_its_own_message_and_features_without_properties_without_tags()
    {
        var writer = new MvtLayerWriter();
        var keys = Enumerable.Range(0, 40).Select(i => $"k{i}").ToArray();
        FeatureProperty[] many = [.. Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? new FeatureProperty(i, $"text{i % 4}", 0) : new FeatureProperty(i, null, i - 20.5))];

        writer.AddFeature(7, many, MvtGeometryType.Polygon, [9, 0, 0]);
        writer.AddFeature(null, [], MvtGeometryType.Point, [9, 2, 2]);
        Assert.Equal(2, writer.FeatureCount);

        var tile = new ProtoBuffer();
        writer.WriteTo(tile, new ProtoBuffer(), "layer", keys, 4096);
        var layer = Fields(Assert.Single(Fields(tile.Written)).Payload);
        var values = layer.Where(f => f.Field == 4).Select(f => Fields(f.Payload)).ToList();
        var features = layer.Where(f => f.Field == 2).Select(f => Fields(f.Payload)).ToList();

        Assert.Equal(2 + 20, values.Count);
        Assert.All(values, v => Assert.Single(v));
        Assert.Equal(["text0", "text2"], values.Where(v => v[0].Field == 1).Select(v => Encoding.UTF8.GetString(v[0].Payload)));
        Assert.Equal(2, features.Count);
        var tags = Packed(features[0].Single(f => f.Field == 2).Payload);
        Assert.Equal(80, tags.Count);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (ulong)i), tags.Where((_, i) => i % 2 == 0));
        Assert.Equal(7ul, features[0].Single(f => f.Field == 1).Varint);
        Assert.DoesNotContain(features[1], f => f.Field is 1 or 2);
        Assert.Equal(1ul, features[1].Single(f => f.Field == 3).Varint);

        writer.Reset();
        Assert.Equal(0, writer.FeatureCount);
    }
}
