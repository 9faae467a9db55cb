using TileServer.Map;

namespace TileServer.Api.Tests.Map;

/// <summary>
/// A test of what npm builds into the server's output (MapLibre, the glyphs). Outside CI it is skipped when the build
/// ran without Node.js; in CI (<c>CI=true</c>) it runs and fails, so CI cannot pass by skipping.
/// </summary>
public sealed class MapAssetsFactAttribute : FactAttribute
{
    public MapAssetsFactAttribute()
    {
        if (!Built && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Skip = "MapLibre and the glyphs were not built into the server's output (Node.js missing at build time)";
        }
    }

    public static bool Built => File.Exists(Path.Combine(MapEndpoints.AssetRoot, MapPage.LibraryModule));
}
