using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

/// <summary>
/// PMTiles archives read by range requests from real servers on loopback, started by the tests: an S3-compatible
/// store (npm s3rver, through the AWS SDK's signed requests) and a static file server (nginx from Debian). Every tile
/// reads back as written, and an archive replaced in the store is detected on the next read, never mixed.
/// </summary>
public sealed class ObjectStorageTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // A generous read bound: s3rver is a Node process on a shared 2-core machine, and these tests check what is read,
    // not how fast (the timeout itself is checked by the unreachable-store tests).
    private static readonly TileArchiveOptions Patient = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static TileArchiveOptions S3Options(S3rverProcess store) => Patient with
    {
        S3 = new S3SourceOptions
        {
            ServiceUrl = store.Endpoint.ToString(),
            AccessKeyId = S3rverProcess.AccessKey,
            SecretAccessKey = S3rverProcess.SecretKey,
        },
    };

    private byte[] Archive(ITileSource source)
    {
        var path = _folder.File($"{Guid.NewGuid():N}.pmtiles");
        PmTilesWriter.Write(source, path);
        return File.ReadAllBytes(path);
    }

    [S3rverFact]
    public void Every_tile_of_an_archive_in_s3_reads_back_through_leaf_directories()
    {
        using var store = new S3rverProcess("tiles");
        var source = SyntheticTileSource.Dense(7);
        store.Put("peru/dense.pmtiles", Archive(source));

        var archive = (PmTilesSource)TileArchive.Open("s3://tiles/peru/dense.pmtiles", S3Options(store));

        Assert.True(archive.LeafDirectories >= 2);
        Assert.Equal("s3://tiles/peru/dense.pmtiles", archive.Name);
        TileAssert.SameLayers(source.Info, archive.Info);
        TileAssert.SameTiles(source, archive);
    }

    [S3rverFact]
    public async Task An_object_replaced_in_s3_is_detected_on_the_next_read()
    {
        using var store = new S3rverProcess("tiles");
        var source = SyntheticTileSource.Small();
        store.Put("small.pmtiles", Archive(source));
        var archive = (PmTilesSource)TileArchive.Open("s3://tiles/small.pmtiles", S3Options(store));
        var ids = source.TileIds.OrderBy(t => t.Z).ThenBy(t => t.X).ThenBy(t => t.Y).ToArray();
        var cached = await archive.GetTileAsync(ids[0], CancellationToken.None);
        var version = archive.ContentVersion;

        store.Put("small.pmtiles", Archive(SyntheticTileSource.Dense(5)));

        var error = await Assert.ThrowsAsync<TileArchiveChangedException>(() => archive.GetTileAsync(ids[^1], CancellationToken.None).AsTask());
        Assert.Contains("s3://tiles/small.pmtiles", error.Message, StringComparison.Ordinal);
        Assert.True(archive.HasChanged);
        Assert.Same(cached, await archive.GetTileAsync(ids[0], CancellationToken.None));
        var reopened = (PmTilesSource)TileArchive.Open("s3://tiles/small.pmtiles", S3Options(store));
        Assert.NotEqual(version, reopened.ContentVersion);
    }

    [S3rverFact]
    public void A_missing_object_is_not_found_naming_it()
    {
        using var store = new S3rverProcess("tiles");

        var error = Assert.Throws<FileNotFoundException>(() => TileArchive.Open("s3://tiles/absent.pmtiles", S3Options(store)));

        Assert.Contains("s3://tiles/absent.pmtiles", error.Message, StringComparison.Ordinal);
    }

    [NginxFact]
    public void Every_tile_of_an_archive_behind_nginx_reads_back_with_range_requests()
    {
        using var nginx = new NginxStaticServer();
        var source = SyntheticTileSource.Dense(7);
        File.WriteAllBytes(Path.Combine(nginx.Root, "dense.pmtiles"), Archive(source));

        var archive = (PmTilesSource)TileArchive.Open(new Uri(nginx.BaseUrl, "dense.pmtiles").ToString(), Patient);

        Assert.True(archive.LeafDirectories >= 2);
        TileAssert.SameTiles(source, archive);
        TileAssert.SameTilesUnderConcurrentReads(source, archive);
    }

    [NginxFact]
    public async Task A_file_changed_behind_nginx_is_refused_by_its_etag()
    {
        using var nginx = new NginxStaticServer();
        var source = SyntheticTileSource.Small();
        var file = Path.Combine(nginx.Root, "small.pmtiles");
        File.WriteAllBytes(file, Archive(source));
        var archive = (PmTilesSource)TileArchive.Open(new Uri(nginx.BaseUrl, "small.pmtiles").ToString(), Patient);
        var id = source.TileIds.First();

        File.WriteAllBytes(file, Archive(SyntheticTileSource.Dense(5)));
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(5));

        var error = await Assert.ThrowsAsync<TileArchiveChangedException>(() => archive.GetTileAsync(id, CancellationToken.None).AsTask());
        Assert.Contains(nginx.BaseUrl.ToString(), error.Message, StringComparison.Ordinal);
    }

    [NginxFact]
    public void A_missing_file_behind_nginx_is_not_found_naming_the_url()
    {
        using var nginx = new NginxStaticServer();
        var url = new Uri(nginx.BaseUrl, "absent.pmtiles").ToString();

        var error = Assert.Throws<FileNotFoundException>(() => TileArchive.Open(url, Patient));

        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_that_cannot_be_reached_is_a_storage_error_naming_the_url_within_the_timeout()
    {
        var url = $"http://127.0.0.1:{ObjectStores.FreePort()}/tiles.pmtiles";

        var error = Assert.Throws<TileStorageException>(() => TileArchive.Open(url, new TileArchiveOptions { Timeout = TimeSpan.FromSeconds(2) }));

        Assert.Contains(url, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:1/tiles.mbtiles", "only .pmtiles")]
    [InlineData("s3://bucket", "s3://bucket/key")]
    public void Remote_sources_must_be_pmtiles_urls(string source, string expected)
    {
        var problems = new TilesOptions { Source = source }.Validate();

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal) && p.Contains("Tiles:Source", StringComparison.Ordinal));
    }
}
