using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;

namespace TileServer.Dataset;

public static class DatasetServiceExtensions
{
    /// <summary>
    /// Binds and validates <see cref="DatasetOptions"/> (start-up fails on a missing or unreadable file), registers the
    /// <see cref="DatasetStore"/> and loads the dataset in the background, so that the server answers health checks
    /// (not ready) while a large layer loads.
    /// </summary>
    public static IHostApplicationBuilder AddDataset(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatasetOptions>()
            .Bind(builder.Configuration.GetSection(DatasetOptions.SectionName))
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                options.Districts = DataPath.Resolve(options.Districts, environment.ContentRootPath);
                options.Estimates = DataPath.Resolve(options.Estimates, environment.ContentRootPath);
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DatasetOptions>, DatasetOptionsValidator>();
        builder.Services.AddSingleton<DatasetStore>();
        builder.Services.AddHostedService<DatasetLoadService>();
        return builder;
    }
}

/// <summary>Relative data paths are looked up in the working directory, the content root, then beside the executable (the embedded sample).</summary>
internal static class DataPath
{
    public static string Resolve(string path, string contentRoot)
    {
        if (string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path))
        {
            return path;
        }

        var candidates = new[] { Environment.CurrentDirectory, contentRoot, AppContext.BaseDirectory }
            .Select(root => Path.GetFullPath(path, root));
        return candidates.FirstOrDefault(File.Exists) ?? Path.GetFullPath(path);
    }
}

internal sealed class DatasetOptionsValidator : IValidateOptions<DatasetOptions>
{
    public ValidateOptionsResult Validate(string? name, DatasetOptions options)
    {
        var errors = options.Validate().ToList();
        foreach (var (key, path) in new[] { ("Dataset:Districts", options.Districts), ("Dataset:Estimates", options.Estimates) })
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                continue;
            }

            if (!File.Exists(path))
            {
                errors.Add($"{key}: file not found: {path}");
                continue;
            }

            try
            {
                using var stream = File.OpenRead(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{key}: cannot read {path}: {e.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
