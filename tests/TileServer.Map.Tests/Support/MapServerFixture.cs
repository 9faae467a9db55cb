using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TileServer.Testing;
using TileServer.Core.Dataset;
using TileServer.Dataset;

namespace TileServer.Map.Tests.Support;

/// <summary>
/// Where the real clients of the map are: Debian's Chromium (driven by Playwright, which downloads nothing) and the
/// npm packages of <c>src/map</c> (MapLibre, built into the server's output; the style-spec validator). Outside CI a
/// missing client skips its tests with the reason; in CI (<c>CI=true</c>, set by the runner) it fails them, so that
/// CI can never pass by skipping.
/// </summary>
public static class RealClients
{
    public static string Chromium { get; } = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Software WebGL (SwiftShader: Chromium 144+ no longer falls back to it silently), and no background traffic.</summary>
    public static IReadOnlyList<string> ChromiumArgs { get; } =
    [
        "--no-sandbox", "--enable-unsafe-swiftshader", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-domain-reliability",
    ];

    public static string? RepositoryRoot { get; } = FindRepositoryRoot();

    public static string MapFolder => Path.Combine(RepositoryRoot ?? ".", "src", "map");

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why the browser tests cannot run here, or null.</summary>
    public static string? BrowserMissing { get; } =
        !File.Exists(Chromium) ? $"Chromium not found at {Chromium} (apt-get install chromium; .ci/run does)"
        : !File.Exists(Path.Combine(MapEndpoints.AssetRoot, MapPage.LibraryModule)) ? "MapLibre was not built into the server's output (Node.js missing at build time: npm ci && npm run build in src/map)"
        : null;

    /// <summary>Why the style-spec validator cannot run here, or null.</summary>
    public static string? ValidatorMissing { get; } =
        !File.Exists(Path.Combine(MapFolder, "node_modules", "@maplibre", "maplibre-gl-style-spec", "package.json")) ? $"npm packages missing in {MapFolder} (npm ci; .ci/run does)"
        : null;

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A test that drives Chromium; skipped (outside CI only) when Chromium or the built MapLibre files are missing.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (RealClients.BrowserMissing is { } reason && !RealClients.InCi)
        {
            Skip = reason;
        }
    }
}

/// <summary>A test that runs the style-spec validator; skipped (outside CI only) when its npm package is missing.</summary>
public sealed class ValidatorFactAttribute : FactAttribute
{
    public ValidatorFactAttribute()
    {
        if (RealClients.ValidatorMissing is { } reason && !RealClients.InCi)
        {
            Skip = reason;
        }
    }
}

/// <summary>
/// The server on Kestrel (a real port: the browser must reach it) over Peru's data, or the embedded sample where
/// Peru is absent, and one Chromium for every test of the <see cref="MapCollection"/>.
/// </summary>
public sealed class MapServerFixture : IAsyncLifetime
{
    private KestrelServerFactory? _factory;
    private IPlaywright? _playwright;

    public string BaseUrl { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    public DatasetSnapshot Snapshot { get; private set; } = null!;

    public bool Peru => PeruData.Available;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Screenshots the tests save (the README shows one): <c>artifacts/screenshots</c> in the repository, or <c>MAP_SCREENSHOTS</c>.</summary>
    public string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("MAP_SCREENSHOTS") is { Length: > 0 } folder
        ? folder
        : Path.Combine(RealClients.RepositoryRoot ?? Path.GetTempPath(), "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        _factory = new KestrelServerFactory();
        _factory.StartServer();
        var store = _factory.Services.GetRequiredService<DatasetStore>();
        await store.FirstLoad.WaitAsync(TimeSpan.FromMinutes(10));
        Snapshot = store.Current!.Snapshot;
        Http = _factory.CreateClient();
        BaseUrl = Http.BaseAddress!.GetLeftPart(UriPartial.Authority);
        if (RealClients.BrowserMissing is null)
        {
            _playwright = await Playwright.CreateAsync();
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = RealClients.Chromium,
                Args = RealClients.ChromiumArgs,
                Headless = true,
            });
        }

        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Http?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

/// <summary>The server on Kestrel at a port the system picks, over Peru where present.</summary>
internal sealed class KestrelServerFactory : WebApplicationFactory<Program>
{
    public KestrelServerFactory() => UseKestrel(0);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (PeruData.Available)
        {
            builder.UseSetting("Dataset:Districts", PeruData.File("districts.shp"));
            builder.UseSetting("Dataset:Estimates", PeruData.File("poverty.csv"));
        }
    }
}

[CollectionDefinition(Name)]
public sealed class MapCollection : ICollectionFixture<MapServerFixture>
{
    public const string Name = "Map server and Chromium";
}
