using Microsoft.Extensions.Options;
using TileServer.Core.Tiles;
using TileServer.Dataset;

namespace TileServer.Tiles;

public static class TileServiceExtensions
{
    /// <summary>Binds and validates <see cref="TilesOptions"/> (section <c>Tiles</c>); the dataset load builds the tileset with them.</summary>
    public static IHostApplicationBuilder AddTiles(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TilesOptions>()
            .Bind(builder.Configuration.GetSection(TilesOptions.SectionName))
            .PostConfigure<IHostEnvironment>((options, environment) =>
                options.Source = DataPath.Resolve(options.Source, environment.ContentRootPath))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TilesOptions>, TilesOptionsValidator>();
        builder.Services.AddSingleton<TileResponseHeaders>();
        return builder;
    }
}

internal sealed class TilesOptionsValidator : IValidateOptions<TilesOptions>
{
    public ValidateOptionsResult Validate(string? name, TilesOptions options)
    {
        var errors = options.Validate().ToList();
        if (options.Enabled && !string.IsNullOrWhiteSpace(options.Source) && !File.Exists(options.Source))
        {
            errors.Add($"Tiles:Source: file not found: {options.Source}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
