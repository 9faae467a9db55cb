using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// Writes a tileset to an MBTiles 1.3 file (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): SQLite
/// with a <c>metadata</c> table (<c>name</c>, <c>format</c>=<c>pbf</c>, <c>bounds</c>, <c>center</c>,
/// <c>minzoom</c>, <c>maxzoom</c>, <c>attribution</c>, <c>description</c>, <c>version</c>, <c>type</c>=<c>overlay</c>,
/// and <c>json</c> with TileJSON's <c>vector_layers</c>) and a <c>tiles</c> view of gzip-compressed MVT blobs
/// addressed by <c>zoom_level</c>, <c>tile_column</c> and <c>tile_row</c> in the TMS scheme (row 0 at the south
/// edge: <c>tile_row = 2^z - 1 - y</c>). <c>minzoom</c> and <c>maxzoom</c> are those of the tiles present (the
/// info's when there are none), as in the PMTiles header.
/// </summary>
/// <remarks>
/// Identical tiles are stored once, with the de-facto deduplicated schema of mbutil and tippecanoe: <c>images</c>
/// (<c>tile_id</c>, <c>tile_data</c>) and <c>map</c> (<c>zoom_level</c>, <c>tile_column</c>, <c>tile_row</c>,
/// <c>tile_id</c>) joined by the <c>tiles</c> view the spec requires, so every MBTiles reader sees the standard
/// table. Tile ids are assigned by exact byte comparison (no hash collisions possible).
/// The file is built in one transaction in a temporary file beside the target and moved into place, so that a
/// reader never sees a half-written file and a failed export leaves the previous file intact.
/// Thread safety: stateless; concurrent exports to different paths are independent.
/// </remarks>
public static class MbTilesWriter
{
    private const string Schema = """
        CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
        CREATE UNIQUE INDEX metadata_name ON metadata (name);
        CREATE TABLE images (tile_id TEXT NOT NULL, tile_data BLOB NOT NULL);
        CREATE UNIQUE INDEX images_id ON images (tile_id);
        CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_id TEXT NOT NULL);
        CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
        CREATE VIEW tiles AS
            SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
            FROM map JOIN images ON images.tile_id = map.tile_id;
        """;

    /// <summary>Writes every tile of <paramref name="source"/> to <paramref name="path"/>, replacing any file there.</summary>
    /// <exception cref="InvalidOperationException">The source lists a tile it then does not return.</exception>
    public static TileArchiveReport Write(ITileSource source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        TileArchive.CheckInfo(source.Info);
        var target = Path.GetFullPath(path);
        var temporary = TemporaryFile.Beside(target);
        try
        {
            var (entries, contents) = WriteDatabase(source, temporary);
            File.Move(temporary, target, overwrite: true);
            return new TileArchiveReport(target, entries, entries, contents, new FileInfo(target).Length);
        }
        catch
        {
            TemporaryFile.Delete(temporary);
            throw;
        }
    }

    private static (long Entries, long Contents) WriteDatabase(ITileSource source, string file)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            // Without pooling the file handle is closed on Dispose, so that the file can be moved into place.
            Pooling = false,
        }.ToString();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        // The file is private until moved into place, so crash safety comes from the move, not from a journal.
        Execute(connection, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = 4096;");
        Execute(connection, Schema);

        using var transaction = connection.BeginTransaction();
        var ids = source.TileIds.Order(TileOrder.ZoomColumnRow).ToArray();
        var (minZoom, maxZoom) = ids.Length > 0 ? (ids[0].Z, ids[^1].Z) : (source.Info.MinZoom, source.Info.MaxZoom);
        WriteMetadata(connection, transaction, source.Info, minZoom, maxZoom);

        using var insertImage = Command(connection, transaction, "INSERT INTO images (tile_id, tile_data) VALUES ($id, $data)");
        var imageId = insertImage.Parameters.Add("$id", SqliteType.Text);
        var imageData = insertImage.Parameters.Add("$data", SqliteType.Blob);
        using var insertMap = Command(connection, transaction, "INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES ($z, $x, $row, $id)");
        var mapZoom = insertMap.Parameters.Add("$z", SqliteType.Integer);
        var mapColumn = insertMap.Parameters.Add("$x", SqliteType.Integer);
        var mapRow = insertMap.Parameters.Add("$row", SqliteType.Integer);
        var mapId = insertMap.Parameters.Add("$id", SqliteType.Text);

        var contents = new TileContentSet<string>();
        long entries = 0;
        foreach (var id in ids)
        {
            var tile = TileArchive.GetListedTile(source, id);
            var contentId = contents.GetOrAdd(tile.Gzip, _ => contents.Count.ToString(CultureInfo.InvariantCulture), out var added);
            if (added)
            {
                imageId.Value = contentId;
                imageData.Value = tile.Gzip.ToArray();
                insertImage.ExecuteNonQuery();
            }

            mapZoom.Value = id.Z;
            mapColumn.Value = id.X;
            mapRow.Value = (1 << id.Z) - 1 - id.Y;
            mapId.Value = contentId;
            insertMap.ExecuteNonQuery();
            entries++;
        }

        transaction.Commit();
        return (entries, contents.Count);
    }

    private static void WriteMetadata(SqliteConnection connection, SqliteTransaction transaction, TilesetInfo info, int minZoom, int maxZoom)
    {
        using var insert = Command(connection, transaction, "INSERT INTO metadata (name, value) VALUES ($name, $value)");
        var name = insert.Parameters.Add("$name", SqliteType.Text);
        var value = insert.Parameters.Add("$value", SqliteType.Text);
        var rows = new (string Name, string Value)[]
        {
            ("name", info.Name),
            ("format", "pbf"),
            ("bounds", Numbers(info.Bounds)),
            ("center", $"{Number(info.Center[0])},{Number(info.Center[1])},{(int)Math.Round(info.Center[2])}"),
            ("minzoom", minZoom.ToString(CultureInfo.InvariantCulture)),
            ("maxzoom", maxZoom.ToString(CultureInfo.InvariantCulture)),
            ("attribution", info.Attribution),
            ("description", info.Description),
            ("version", info.Version),
            ("type", "overlay"),
            ("json", Encoding.UTF8.GetString(TilesetJson.Write(info, withDescription: false))),
        };
        foreach (var row in rows)
        {
            name.Value = row.Name;
            value.Value = row.Value;
            insert.ExecuteNonQuery();
        }
    }

    private static string Numbers(double[] values) => string.Join(',', values.Select(Number));

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
