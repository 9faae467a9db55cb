using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// A tileset read from an MBTiles 1.3 file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md) of
/// vector tiles (<c>format</c> <c>pbf</c>): the <c>tiles</c> table or view, with TMS rows flipped back to XYZ
/// (<c>y = 2^z - 1 - tile_row</c>), and <see cref="TilesetInfo"/> from the <c>metadata</c> table (<c>json</c>'s
/// <c>vector_layers</c>; zoom range and bounds from the tiles when the metadata lacks them).
/// </summary>
/// <remarks>
/// The whole file is read at <see cref="Open"/>: every tile is decompressed once (blobs stored gzip-compressed, as
/// the spec recommends, or plain, which are then gzip-compressed here), identical blobs share one
/// <see cref="EncodedTile"/>, and the connection is closed before <see cref="Open"/> returns. Lookups are then
/// allocation-free reads of a frozen dictionary, the file can be replaced while serving, and no handle needs
/// disposing. The cost is memory: the tileset lives in memory twice (MVT and gzip), as a precomputed one does.
/// Thread safety: immutable after <see cref="Open"/>; safe for any number of concurrent readers.
/// </remarks>
public sealed class MbTilesSource : ITileSource
{
    private static readonly double[] WorldBounds = [-180, -85.0511287798066, 180, 85.0511287798066];

    private readonly FrozenDictionary<TileId, EncodedTile> _tiles;

    private MbTilesSource(TilesetInfo info, FrozenDictionary<TileId, EncodedTile> tiles, int tileContents)
    {
        Info = info;
        _tiles = tiles;
        TileContents = tileContents;
    }

    public TilesetInfo Info { get; }

    public IEnumerable<TileId> TileIds => _tiles.Keys;

    /// <summary>Distinct tile blobs in the file.</summary>
    public int TileContents { get; }

    public bool TryGetTile(TileId id, out EncodedTile tile) => _tiles.TryGetValue(id, out tile!);

    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable MBTiles file of vector tiles; the message says why.</exception>
    public static MbTilesSource Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var file = Path.GetFullPath(path);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such MBTiles file", file);
        }

        try
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            using var connection = new SqliteConnection(connectionString);
            connection.Open();
            var metadata = ReadMetadata(connection);
            if (metadata.TryGetValue("format", out var format) && format != "pbf")
            {
                throw new InvalidDataException($"{file}: metadata format is '{format}', not 'pbf' (vector tiles)");
            }

            var (tiles, contents) = ReadTiles(connection, file);
            return new MbTilesSource(ReadInfo(metadata, tiles.Keys, file), tiles, contents);
        }
        catch (SqliteException e)
        {
            throw new InvalidDataException($"{file}: not a readable MBTiles file: {e.Message}", e);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: metadata 'json' is not valid: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ReadMetadata(SqliteConnection connection)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name, value FROM metadata";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0) && !reader.IsDBNull(1))
            {
                metadata[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return metadata;
    }

    private static (FrozenDictionary<TileId, EncodedTile> Tiles, int Contents) ReadTiles(SqliteConnection connection, string file)
    {
        var tiles = new Dictionary<TileId, EncodedTile>();
        var contents = new TileContentSet<EncodedTile>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var z = reader.GetInt32(0);
            var x = reader.GetInt32(1);
            var row = reader.GetInt32(2);
            var id = z is >= 0 and <= 30 ? new TileId(z, x, (1 << z) - 1 - row) : new TileId(z, x, row);
            if (!id.IsValid)
            {
                throw new InvalidDataException($"{file}: tile zoom_level {z}, tile_column {x}, tile_row {row} is outside its zoom");
            }

            if (reader.IsDBNull(3))
            {
                throw new InvalidDataException($"{file}: tile {id} has no tile_data");
            }

            var tile = contents.GetOrAdd((byte[])reader.GetValue(3), data => Decode(data, file, id), out _);
            if (!tiles.TryAdd(id, tile))
            {
                throw new InvalidDataException($"{file}: tile {id} appears twice");
            }
        }

        return (tiles.ToFrozenDictionary(), contents.Count);
    }

    private static EncodedTile Decode(ReadOnlyMemory<byte> data, string file, TileId id)
    {
        if (!TileCompression.IsGzip(data.Span))
        {
            return new EncodedTile(data, TileCompression.Gzip(data.Span));
        }

        try
        {
            return new EncodedTile(TileCompression.Gunzip(data), data);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: tile {id} is not valid gzip: {e.Message}", e);
        }
    }

    private static TilesetInfo ReadInfo(Dictionary<string, string> metadata, IEnumerable<TileId> ids, string file)
    {
        var zooms = ids.Select(id => id.Z).ToArray();
        var minZoom = Int(metadata, "minzoom", file) ?? (zooms.Length > 0 ? zooms.Min() : 0);
        var maxZoom = Int(metadata, "maxzoom", file) ?? (zooms.Length > 0 ? zooms.Max() : 0);
        var bounds = Doubles(metadata, "bounds", 4, file) ?? WorldBounds;
        var center = Doubles(metadata, "center", 3, file) ?? [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, minZoom];
        var layers = metadata.TryGetValue("json", out var json)
            ? TilesetJson.ReadVectorLayers(JsonDocument.Parse(json).RootElement, minZoom, maxZoom)
            : [];
        return new TilesetInfo(
            metadata.GetValueOrDefault("name") ?? Path.GetFileNameWithoutExtension(file),
            metadata.GetValueOrDefault("description") ?? "",
            metadata.GetValueOrDefault("attribution") ?? "",
            metadata.GetValueOrDefault("version") ?? "",
            minZoom,
            maxZoom,
            bounds,
            center,
            layers);
    }

    private static int? Int(Dictionary<string, string> metadata, string name, string file) =>
        !metadata.TryGetValue(name, out var text) ? null
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new InvalidDataException($"{file}: metadata {name} '{text}' is not an integer");

    private static double[]? Doubles(Dictionary<string, string> metadata, string name, int count, string file)
    {
        if (!metadata.TryGetValue(name, out var text))
        {
            return null;
        }

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                values = [];
                break;
            }
        }

        return values.Length == count ? values : throw new InvalidDataException($"{file}: metadata {name} '{text}' is not {count} comma-separated numbers");
    }
}
