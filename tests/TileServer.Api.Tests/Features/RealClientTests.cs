using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using TileServer.Api.Tests.Support;
using TileServer.Core.Dataset;
using TileServer.Dataset;

namespace TileServer.Api.Tests.Features;

/// <summary>
/// The server on a real socket (Kestrel on a free loopback port), over Peru when <c>../shared</c> is present and over
/// the embedded sample otherwise, for the clients analysts use: GDAL's OAPIF driver and OWSLib, installed from Debian
/// by <c>.ci/run</c>.
/// </summary>
public sealed class KestrelServerFixture : IAsyncLifetime
{
    private TileServerFactory? _factory;

    public string Url { get; private set; } = "";

    public DatasetSnapshot Snapshot { get; private set; } = null!;

    public bool IsPeru => PeruData.Available;

    public HttpClient Client { get; } = new();

    public async Task InitializeAsync()
    {
        // The clients read features only: no tileset is built, which halves this second load of Peru in the test run.
        var settings = new Dictionary<string, string?> { ["Tiles:Enabled"] = "false" };
        if (PeruData.Available)
        {
            settings["Dataset:Districts"] = PeruData.File("districts.shp");
            settings["Dataset:Estimates"] = PeruData.File("poverty.csv");
        }
        _factory = new TileServerFactory(settings);
        _factory.UseKestrel(0);
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Url = addresses.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/";
        // Services, not Server: a factory on Kestrel has no test server to start; StartServer above started Kestrel.
        var store = _factory.Services.GetRequiredService<DatasetStore>();
        await store.FirstLoad.WaitAsync(TimeSpan.FromMinutes(10));
        Snapshot = store.Current!.Snapshot;
        Client.BaseAddress = new Uri(Url);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    /// <summary>numberMatched of an items request, as the server's own filters answer it.</summary>
    public async Task<int> MatchedAsync(string collection, string query)
    {
        var page = await Client.GetFromJsonAsync<JsonElement>($"collections/{collection}/items?limit=1&skipGeometry=true&{query}");
        return page.GetProperty("numberMatched").GetInt32();
    }
}

/// <summary>Run alone, after the parallel collections: its server is a second load of Peru, which must not slow the first.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealClientCollection : ICollectionFixture<KestrelServerFixture>
{
    public const string Name = "Real clients";
}

/// <summary>Runs a client program with a time limit; the output and exit code come back.</summary>
internal static class ClientProcess
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GDAL_HTTP_TIMEOUT"] = "60";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }

        return (process.ExitCode, await output, await error);
    }

    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}

/// <summary>A test that needs GDAL's command-line tools; skipped, saying so, when <c>ogrinfo</c> is not installed.</summary>
public sealed class GdalFactAttribute : FactAttribute
{
    public GdalFactAttribute()
    {
        if (ClientProcess.Find("ogrinfo") is null || ClientProcess.Find("ogr2ogr") is null)
        {
            Skip = "GDAL is not installed (apt-get install gdal-bin; .ci/run installs it): real-client test skipped";
        }
    }
}

/// <summary>A test that needs Debian's OWSLib (<c>/usr/bin/python3</c> with <c>python3-owslib</c>); skipped, saying so, without it.</summary>
public sealed class OwsLibFactAttribute : FactAttribute
{
    public OwsLibFactAttribute()
    {
        if (!File.Exists("/usr/bin/python3") || !Directory.Exists("/usr/lib/python3/dist-packages/owslib"))
        {
            Skip = "OWSLib is not installed (apt-get install python3-owslib; .ci/run installs it): real-client test skipped";
        }
    }
}

[Collection(RealClientCollection.Name)]
public partial class GdalClientTests(KestrelServerFixture server)
{
    private string Source => "OAPIF:" + server.Url;

    [GdalFact]
    public async Task Ogrinfo_lists_the_three_layers_with_their_counts()
    {
        var (exit, output, error) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-so", "-al", Source]);

        Assert.True(exit == 0, error);
        var layers = LayerName().Matches(output).Select(m => m.Groups[1].Value).ToList();
        var counts = FeatureCount().Matches(output).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(["departments", "provinces", "districts"], layers);
        int[] expected = server.IsPeru ? [25, 196, 1891] : [server.Snapshot.Departments.Units.Count, server.Snapshot.Provinces.Units.Count, server.Snapshot.Districts.Units.Count];
        Assert.Equal(expected, counts);
        Assert.Contains("pobreza_pct: Real", output, StringComparison.Ordinal);
        Assert.Contains("poblacion: Integer", output, StringComparison.Ordinal);
    }

    [GdalTheory]
    [InlineData("department = '15'", "department=15")]
    [InlineData("pobreza_pct > 50", "filter=pobreza_pct%20%3E%2050")]
    [InlineData("department = '08' AND pobreza_pct < 20", "filter=department%20%3D%20%2708%27%20AND%20pobreza_pct%20%3C%2020")]
    public async Task Ogrinfo_where_agrees_with_the_server_filters(string where, string query)
    {
        var (exit, output, error) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-q", "-geom=NO", "-where", where, Source, "districts"]);

        Assert.True(exit == 0, error);
        var expected = await server.MatchedAsync("districts", query);
        Assert.Equal(expected, FeatureLine().Matches(output).Count);
    }

    [GdalFact]
    public async Task Ogrinfo_spat_agrees_with_the_server_bbox()
    {
        var extent = server.Snapshot.Districts.Units[server.Snapshot.Districts.Units.Count / 2].Geometry.EnvelopeInternal;
        var box = new[] { extent.MinX - 0.3, extent.MinY - 0.3, extent.MaxX + 0.3, extent.MaxY + 0.3 }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();

        var (exit, output, error) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-q", "-geom=NO", "-spat", .. box, Source, "districts"]);

        Assert.True(exit == 0, error);
        var expected = await server.MatchedAsync("districts", "bbox=" + string.Join(',', box));
        Assert.True(expected > 1);
        Assert.Equal(expected, FeatureLine().Matches(output).Count);
    }

    [GdalFact]
    public async Task Ogr2ogr_copies_every_layer_to_geopackage_with_every_feature_and_column()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"tileserver-gdal-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            foreach (var set in server.Snapshot.Features.Collections)
            {
                var output = Path.Combine(folder, set.Id + ".gpkg");
                var (exit, _, error) = await ClientProcess.RunAsync("ogr2ogr", ["-f", "GPKG", output, Source, set.Id]);
                Assert.True(exit == 0, error);

                var (infoExit, info, infoError) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-so", output, set.Id]);
                Assert.True(infoExit == 0, infoError);
                Assert.Equal(set.Count, int.Parse(FeatureCount().Match(info).Groups[1].Value, CultureInfo.InvariantCulture));
                foreach (var property in set.Properties)
                {
                    Assert.Contains($"\n{property.Name}: ", info, StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [GdalFact]
    public async Task Downloads_open_in_ogrinfo_with_typed_columns()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"tileserver-gdal-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        try
        {
            var gpkg = Path.Combine(folder, "districts.gpkg");
            await File.WriteAllBytesAsync(gpkg, await server.Client.GetByteArrayAsync("collections/districts/items?f=gpkg"));
            var zip = Path.Combine(folder, "districts.zip");
            await File.WriteAllBytesAsync(zip, await server.Client.GetByteArrayAsync("collections/districts/items?f=shp&crs=EPSG:32718"));

            var (gpkgExit, gpkgInfo, gpkgError) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-so", gpkg, "districts"]);
            var (shpExit, shpInfo, shpError) = await ClientProcess.RunAsync("ogrinfo", ["-ro", "-so", "/vsizip/" + zip + "/districts.shp", "districts"]);

            Assert.True(gpkgExit == 0, gpkgError);
            Assert.True(shpExit == 0, shpError);
            var count = server.Snapshot.Districts.Units.Count.ToString(CultureInfo.InvariantCulture);
            Assert.Contains($"Feature Count: {count}", gpkgInfo, StringComparison.Ordinal);
            Assert.Contains($"Feature Count: {count}", shpInfo, StringComparison.Ordinal);
            Assert.Contains("Geometry: Multi Polygon", gpkgInfo, StringComparison.Ordinal);
            Assert.Contains("pobreza_pct: Real", gpkgInfo, StringComparison.Ordinal);
            Assert.Contains("poblacion: Integer64", gpkgInfo, StringComparison.Ordinal);
            Assert.Contains("has_estimates: Integer(Boolean)", gpkgInfo, StringComparison.Ordinal);
            Assert.Contains("pobreza_pc: Real", shpInfo, StringComparison.Ordinal);
            Assert.Contains("UTM zone 18S", shpInfo, StringComparison.Ordinal);
            Assert.Contains("ID[\"EPSG\",4326]", gpkgInfo, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [GeneratedRegex(@"^Layer name: (\w+)", RegexOptions.Multiline)]
    private static partial Regex LayerName();

    [GeneratedRegex(@"^Feature Count: (\d+)", RegexOptions.Multiline)]
    private static partial Regex FeatureCount();

    [GeneratedRegex(@"^OGRFeature\(", RegexOptions.Multiline)]
    private static partial Regex FeatureLine();
}

public sealed class GdalTheoryAttribute : TheoryAttribute
{
    public GdalTheoryAttribute()
    {
        if (ClientProcess.Find("ogrinfo") is null)
        {
            Skip = "GDAL is not installed (apt-get install gdal-bin; .ci/run installs it): real-client test skipped";
        }
    }
}

[Collection(RealClientCollection.Name)]
public class OwsLibClientTests(KestrelServerFixture server)
{
    [OwsLibFact]
    public async Task Owslib_reads_the_landing_page_conformance_collections_and_pages_to_the_end()
    {
        var districts = server.Snapshot.Districts;
        var box = districts.Units[0].Geometry.EnvelopeInternal;
        var bbox = string.Join(',', new[] { box.MinX, box.MinY, box.MaxX, box.MaxY }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)));
        var script = Path.Combine(RepositoryRoot(), "tests", "clients", "owslib_check.py");

        var (exit, output, error) = await ClientProcess.RunAsync("/usr/bin/python3", [script, server.Url, "districts", bbox]);

        Assert.True(exit == 0, error);
        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Poverty maps", result.GetProperty("title").GetString());
        Assert.Contains("service-desc", result.GetProperty("landing_rels").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", result.GetProperty("conformance").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["departments", "provinces", "districts"], result.GetProperty("collections").EnumerateArray().Select(r => r.GetString()));
        Assert.StartsWith("3.0", result.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Contains("pobreza_pct", result.GetProperty("queryables").EnumerateArray().Select(r => r.GetString()));
        var bboxPage = result.GetProperty("bbox_page");
        Assert.Equal(await server.MatchedAsync("districts", "bbox=" + bbox), bboxPage.GetProperty("numberMatched").GetInt32());
        Assert.InRange(bboxPage.GetProperty("numberReturned").GetInt32(), 1, 5);
        Assert.Contains(districts.Units[0].Code, bboxPage.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        var paged = result.GetProperty("paged");
        Assert.Equal(districts.Units.Select(u => u.Code), paged.GetProperty("ids").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal((districts.Units.Count + 49) / 50, paged.GetProperty("pages").GetInt32());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TileServer.sln not found above the test assembly");
    }
}
