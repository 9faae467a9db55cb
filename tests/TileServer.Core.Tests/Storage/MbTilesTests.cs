using System.Text.Json;
using Microsoft.Data.Sqlite;
using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

public sealed class MbTilesTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly SyntheticTileSource _source = SyntheticTileSource.Small();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Every_tile_reads_back_equal_to_the_source()
    {
        var path = _folder.File("poverty.mbtiles");
        var report = MbTilesWriter.Write(_source, path);

        var read = MbTilesSource.Open(path);

        TileAssert.SameTiles(_source, read);
        Assert.Equal(_source.TileIds.Count(), report.AddressedTiles);
        Assert.Equal(new FileInfo(path).Length, report.FileBytes);
        Assert.False(read.TryGetTile(new TileId(8, 0, 0), out _));
    }

    [Fact]
    public void Rows_are_in_the_TMS_scheme_and_hold_the_gzip_bytes()
    {
        var path = _folder.File("poverty.mbtiles");
        MbTilesWriter.Write(_source, path);

        var rows = 0;
        var flipped = 0;
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var z = reader.GetInt32(0);
            var row = reader.GetInt32(2);
            var id = new TileId(z, reader.GetInt32(1), (1 << z) - 1 - row);
            Assert.True(_source.TryGetTile(id, out var tile), $"row {z}/{id.X}/{row} is not source tile {id} flipped");
            Assert.Equal(tile.Gzip.ToArray(), (byte[])reader.GetValue(3));
            rows++;
            flipped += row != id.Y ? 1 : 0;
        }

        Assert.Equal(_source.TileIds.Count(), rows);
        // The synthetic region lies south of the equator, where TMS and XYZ rows differ.
        Assert.True(flipped > rows / 2);
    }

    [Fact]
    public void Identical_tiles_are_stored_once()
    {
        var path = _folder.File("poverty.mbtiles");
        var report = MbTilesWriter.Write(_source, path);

        using var connection = Open(path);
        var images = Scalar(connection, "SELECT count(*) FROM images");
        var map = Scalar(connection, "SELECT count(*) FROM map");
        Assert.Equal(_source.DistinctContents, images);
        Assert.Equal(_source.TileIds.Count(), map);
        Assert.True(images < map - 250);
        Assert.Equal(images, report.TileContents);
        Assert.Equal(images, MbTilesSource.Open(path).TileContents);
    }

    [Fact]
    public void Metadata_has_the_spec_keys_and_vector_layers_json()
    {
        var path = _folder.File("poverty.mbtiles");
        MbTilesWriter.Write(_source, path);

        using var connection = Open(path);
        var metadata = new Dictionary<string, string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name, value FROM metadata";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                metadata.Add(reader.GetString(0), reader.GetString(1));
            }
        }

        Assert.Equal("synthetic", metadata["name"]);
        Assert.Equal("pbf", metadata["format"]);
        Assert.Equal("overlay", metadata["type"]);
        Assert.Equal("-81.33,-18.35,-68.65,-0.04", metadata["bounds"]);
        Assert.Equal("-75,-9.5,5", metadata["center"]);
        Assert.Equal("0", metadata["minzoom"]);
        Assert.Equal("8", metadata["maxzoom"]);
        Assert.Equal(_source.Info.Attribution, metadata["attribution"]);
        Assert.Equal(_source.Info.Description, metadata["description"]);
        Assert.Equal(_source.Info.Version, metadata["version"]);
        using var json = JsonDocument.Parse(metadata["json"]);
        var layers = json.RootElement.GetProperty("vector_layers").EnumerateArray().ToArray();
        Assert.Equal(["departments", "districts"], layers.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(6, layers[1].GetProperty("minzoom").GetInt32());
        Assert.Equal("Number", layers[0].GetProperty("fields").GetProperty("pobreza_pct").GetString());

        var info = MbTilesSource.Open(path).Info;
        TileAssert.SameLayers(_source.Info, info);
        Assert.Equal(_source.Info.Bounds, info.Bounds);
        Assert.Equal(_source.Info.Center, info.Center);
        Assert.Equal((_source.Info.Name, _source.Info.MinZoom, _source.Info.MaxZoom), (info.Name, info.MinZoom, info.MaxZoom));
    }

    [Fact]
    public void Writing_replaces_the_file_and_leaves_no_temporary_file()
    {
        var path = _folder.File("poverty.mbtiles");
        File.WriteAllText(path, "an older export");

        MbTilesWriter.Write(_source, path);

        Assert.Equal([path], Directory.GetFiles(_folder.Path));
        Assert.Equal(_source.TileIds.Count(), MbTilesSource.Open(path).TileIds.Count());
    }

    [Fact]
    public void Concurrent_readers_see_every_tile()
    {
        var path = _folder.File("poverty.mbtiles");
        MbTilesWriter.Write(_source, path);

        TileAssert.SameTilesUnderConcurrentReads(_source, MbTilesSource.Open(path));
    }

    [Fact]
    public void A_file_that_is_not_MBTiles_is_an_error_naming_it()
    {
        var path = _folder.File("not.mbtiles");
        File.WriteAllText(path, "plain text, not SQLite");

        var error = Assert.Throws<InvalidDataException>(() => MbTilesSource.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => MbTilesSource.Open(_folder.File("absent.mbtiles")));
    }

    [Fact]
    public void A_plain_tiles_table_of_uncompressed_tiles_without_metadata_json_reads()
    {
        // What other writers produce: a tiles table (no view), raw MVT blobs, only the required metadata.
        var path = _folder.File("other.mbtiles");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE metadata (name TEXT, value TEXT);
                INSERT INTO metadata VALUES ('name', 'other'), ('format', 'pbf');
                CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);
                INSERT INTO tiles VALUES (2, 1, 0, x'0a0b0c'), (3, 5, 6, x'1a1b');
                """;
            command.ExecuteNonQuery();
        }

        var read = TileArchive.Open(path);

        Assert.Equal([new TileId(2, 1, 3), new TileId(3, 5, 1)], read.TileIds.Order(Comparer<TileId>.Create((a, b) => a.Z.CompareTo(b.Z))));
        Assert.True(read.TryGetTile(new TileId(2, 1, 3), out var tile));
        Assert.Equal([0x0a, 0x0b, 0x0c], tile.Mvt.ToArray());
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(tile.Gzip.ToArray()), System.IO.Compression.CompressionMode.Decompress);
        using var mvt = new MemoryStream();
        gzip.CopyTo(mvt);
        Assert.Equal([0x0a, 0x0b, 0x0c], mvt.ToArray());
        Assert.Equal(("other", 2, 3), (read.Info.Name, read.Info.MinZoom, read.Info.MaxZoom));
        Assert.Empty(read.Info.VectorLayers);
    }

    [Fact]
    public void Raster_MBTiles_are_refused()
    {
        var path = _folder.File("raster.mbtiles");
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE metadata (name TEXT, value TEXT); INSERT INTO metadata VALUES ('format', 'png'); CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);";
            command.ExecuteNonQuery();
        }

        Assert.Contains("'png'", Assert.Throws<InvalidDataException>(() => MbTilesSource.Open(path)).Message);
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
