using System.Text.Json;
using Microsoft.Data.Sqlite;
using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

public sealed class MbTilesTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly SyntheticTileSource source = SyntheticTileSource.Small();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Every_tile_reads_back_equal_to_the_source()
    {
        var path = folder.File("poverty.mbtiles");
        var report = MbTilesWriter.Write(source, path);

        var read = MbTilesSource.Open(path);

        TileAssert.SameTiles(source, read);
        Assert.Equal(source.TileIds.Count(), report.AddressedTiles);
        Assert.Equal(new FileInfo(path).Length, report.FileBytes);
        Assert.False(read.TryGetTile(new TileId(8, 0, 0), out _));
    }

    [Fact]
    public void Rows_are_in_the_TMS_scheme_and_hold_the_gzip_bytes()
    {
        var path = folder.File("poverty.mbtiles");
        MbTilesWriter.Write(source, path);

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
            Assert.True(source.TryGetTile(id, out var tile), $"row {z}/{id.X}/{row} is not source tile {id} flipped");
            Assert.Equal(tile.Gzip.ToArray(), (byte[])reader.GetValue(3));
            rows++;
            flipped += row != id.Y ? 1 : 0;
        }

        Assert.Equal(source.TileIds.Count(), rows);
        // The synthetic region lies south of the equator, where TMS and XYZ rows differ.
        Assert.True(flipped > rows / 2);
    }

    [Fact]
    public void Identical_tiles_are_stored_once()
    {
        var path = folder.File("poverty.mbtiles");
        var report = MbTilesWriter.Write(source, path);

        using var connection = Open(path);
        var images = Scalar(connection, "SELECT count(*) FROM images");
        var map = Scalar(connection, "SELECT count(*) FROM map");
        Assert.Equal(source.DistinctContents, images);
        Assert.Equal(source.TileIds.Count(), map);
        Assert.True(images < map - 250);
        Assert.Equal(images, report.TileContents);
        Assert.Equal(images, MbTilesSource.Open(path).TileContents);
    }

    [Fact]
    public void Metadata_has_the_spec_keys_and_vector_layers_json()
    {
        var path = folder.File("poverty.mbtiles");
        MbTilesWriter.Write(source, path);

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
        Assert.Equal(source.Info.Attribution, metadata["attribution"]);
        Assert.Equal(source.Info.Description, metadata["description"]);
        Assert.Equal(source.Info.Version, metadata["version"]);
        using var json = JsonDocument.Parse(metadata["json"]);
        var layers = json.RootElement.GetProperty("vector_layers").EnumerateArray().ToArray();
        Assert.Equal(["departments", "districts"], layers.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(6, layers[1].GetProperty("minzoom").GetInt32());
        Assert.Equal("Number", layers[0].GetProperty("fields").GetProperty("pobreza_pct").GetString());

        var info = MbTilesSource.Open(path).Info;
        TileAssert.SameLayers(source.Info, info);
        Assert.Equal(source.Info.Bounds, info.Bounds);
        Assert.Equal(source.Info.Center, info.Center);
        Assert.Equal((source.Info.Name, source.Info.MinZoom, source.Info.MaxZoom), (info.Name, info.MinZoom, info.MaxZoom));
    }

    [Fact]
    public void Writing_replaces_the_file_and_leaves_no_temporary_file()
    {
        var path = folder.File("poverty.mbtiles");
        File.WriteAllText(path, "an older export");

        MbTilesWriter.Write(source, path);

        Assert.Equal([path], Directory.GetFiles(folder.Path));
        Assert.Equal(source.TileIds.Count(), MbTilesSource.Open(path).TileIds.Count());
    }

    [Fact]
    public void Concurrent_readers_see_every_tile()
    {
        var path = folder.File("poverty.mbtiles");
        MbTilesWriter.Write(source, path);
        var read = MbTilesSource.Open(path);
        var ids = source.TileIds.ToArray();

        var mismatches = 0;
        Parallel.For(0, ids.Length * 8, i =>
        {
            var id = ids[i % ids.Length];
            if (!read.TryGetTile(id, out var got) || !source.TryGetTile(id, out var want) || !got.Mvt.Span.SequenceEqual(want.Mvt.Span))
            {
                Interlocked.Increment(ref mismatches);
            }
        });

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void A_file_that_is_not_MBTiles_is_an_error_naming_it()
    {
        var path = folder.File("not.mbtiles");
        File.WriteAllText(path, "plain text, not SQLite");

        var error = Assert.Throws<InvalidDataException>(() => MbTilesSource.Open(path));
        Assert.Contains(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => MbTilesSource.Open(folder.File("absent.mbtiles")));
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
