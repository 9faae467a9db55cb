using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;
using TileServer.Infrastructure;

namespace TileServer.Dataset;

public static class DatasetServiceExtensions
{
    /// <summary>
    /// Binds and validates <see cref="DatasetOptions"/> (start-up fails on a missing or unreadable file), registers the
    /// <see cref="ServedDatasetBuilder"/> and the <see cref="DatasetStore"/>, and loads the dataset in the background,
    /// so that the server answers health checks (not ready) while a large layer loads; then reloads it on
    /// <c>SIGHUP</c> and, with <c>Dataset:Watch</c>, when its files change (<see cref="DatasetReloader"/>).
    /// </summary>
    public static IHostApplicationBuilder AddDataset(this IHostApplicationBuilder builder)
    {
        builder.AddValidatedOptions<DatasetOptions>(DatasetOptions.SectionName, options =>
            [
                .. options.Validate(),
                // Served from a snapshot file, the sources need not be on the machine at all.
                .. string.IsNullOrWhiteSpace(options.Snapshot) ? ValidatedOptions.FileProblems("Dataset:Districts", options.Districts) : [],
                .. string.IsNullOrWhiteSpace(options.Snapshot) ? ValidatedOptions.FileProblems("Dataset:Estimates", options.Estimates) : [],
                .. ValidatedOptions.FileProblems("Dataset:Snapshot", options.Snapshot),
            ])
            .PostConfigure<IHostEnvironment>((options, environment) =>
            {
                options.Districts = DataPath.Resolve(options.Districts, environment.ContentRootPath);
                options.Estimates = DataPath.Resolve(options.Estimates, environment.ContentRootPath);
                options.Snapshot = DataPath.Resolve(options.Snapshot, environment.ContentRootPath);
            });
        builder.Services.AddSingleton<ServedDatasetBuilder>();
        builder.Services.AddSingleton<DatasetStore>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new ReloadScheduler(
            Environment.ProcessorCount, services.GetRequiredService<IOptions<DatasetOptions>>().Value.ReloadNiceness));
        builder.Services.AddSingleton<DatasetReloader>();
        builder.Services.AddHostedService<DatasetLoadService>();
        builder.Services.AddHostedService<ReloadSignal>();
        builder.Services.AddHostedService<DatasetFileWatcher>();
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
