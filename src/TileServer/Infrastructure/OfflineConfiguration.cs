using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;
using TileServer.Core.Tiles;
using TileServer.Dataset;
using TileServer.Tiles;

namespace TileServer.Infrastructure;

/// <summary>
/// The dataset and tiles configuration of an offline command, read exactly as <c>serve</c> reads it (appsettings,
/// environment, <c>--Key=value</c> arguments; relative paths resolved and files checked by the same registrations), so
/// that a command builds what the server would serve.
/// </summary>
internal static class OfflineConfiguration
{
    /// <exception cref="OptionsValidationException">A value is invalid or a data file is missing; the failures say which.</exception>
    public static (DatasetOptions Dataset, TilesOptions Tiles) Read(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = Environment.CurrentDirectory,
        });
        builder.AddDataset();
        builder.AddTiles();
        using var services = builder.Services.BuildServiceProvider();
        return (services.GetRequiredService<IOptions<DatasetOptions>>().Value, services.GetRequiredService<IOptions<TilesOptions>>().Value);
    }
}
