using Microsoft.Extensions.Options;
using TileServer.Aggregation;
using TileServer.Dataset;
using TileServer.Features;
using TileServer.Lookup;
using TileServer.Map;
using TileServer.Targeting;
using TileServer.Tiles;

namespace TileServer.Commands;

/// <summary>
/// The configuration of an offline command, read exactly as <c>serve</c> reads it: the same web application builder
/// over the command's <c>--Key=value</c> arguments (appsettings.json and appsettings.{Environment}.json, environment
/// variables, arguments), the registrations of every section the dataset version covers (so relative paths are
/// resolved and files checked by the same code), and the same start-up validation. A command therefore builds, through
/// <see cref="ServedDatasetBuilder"/>, what the server would serve, under the same version.
/// </summary>
internal static class CommandConfiguration
{
    /// <summary>Runs <paramref name="work"/> over the validated services; failures as <see cref="CommandLine.Guard"/>.</summary>
    public static int Run(string[] arguments, Func<IServiceProvider, int> work) => CommandLine.Guard(() =>
    {
        var builder = WebApplication.CreateBuilder(arguments);
        builder.AddDataset();
        builder.AddTiles();
        builder.AddLookup();
        builder.AddAggregation();
        builder.AddFeatures();
        builder.AddWebMap();
        builder.AddTargeting();
        using var services = builder.Services.BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        return work(services);
    });
}
