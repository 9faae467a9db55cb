using TileServer.Core.Storage;
using TileServer.Core.Tiles;
using TileServer.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Tiles;

public static class TileServiceExtensions
{
    /// <summary>
    /// Binds and validates <see cref="TilesOptions"/> (section <c>Tiles</c>; a missing local <c>Tiles:Source</c> stops
    /// the start; a remote one is checked when the load opens it); the dataset load builds the tileset, or opens the
    /// archive, with them.
    /// </summary>
    public static IHostApplicationBuilder AddTiles(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<TilesOptions>(TilesOptions.SectionName, options =>
            [
                .. options.Validate(),
                .. options.Enabled && !TileArchive.IsRemote(options.Source) ? ValidatedOptions.FileProblems("Tiles:Source", options.Source) : [],
            ])
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                if (!TileArchive.IsRemote(options.Source))
                {
                    options.Source = DataPath.Resolve(options.Source, environment.ContentRootPath);
                }
            });
        return builder;
    }
}
