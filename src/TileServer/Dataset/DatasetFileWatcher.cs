using System.Threading.Channels;
using Microsoft.Extensions.Options;
using TileServer.Core.Dataset;

namespace TileServer.Dataset;

/// <summary>
/// <c>Dataset:Watch=true</c>: reloads (<see cref="DatasetReloader"/>, trigger <c>watch</c>) when an input file is
/// created, written, renamed or deleted (the layer and its side-car files, the CSV, a tile archive), once the files
/// have gone <c>Dataset:WatchQuietSeconds</c> without a change: a copy in progress keeps writing, so it is never read
/// half-written (a copy that stalls longer than that can be: publish with a rename, <c>cp new.csv dir/.tmp &amp;&amp;
/// mv dir/.tmp dir/poverty.csv</c>, which is atomic). After each reload the watch follows the files the configuration
/// names then.
/// </summary>
/// <remarks>
/// One <see cref="FileSystemWatcher"/> per directory (inotify on Linux), filtered to the input files' names, so that
/// the directory's other files do not trigger. A change during a reload is caught and reloads again once quiet.
/// </remarks>
internal sealed partial class DatasetFileWatcher(
    IOptions<DatasetOptions> options,
    ServedDatasetBuilder builder,
    DatasetReloader reloader,
    DatasetStore store,
    ILogger<DatasetFileWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Watch)
        {
            return;
        }

        var quiet = TimeSpan.FromSeconds(options.Value.WatchQuietSeconds);
        var changes = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
        await store.FirstLoad.WaitAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var files = builder.InputFiles().Select(f => Path.GetFullPath(f.Path)).ToHashSet(StringComparer.Ordinal);
            using var watchers = Watch(files, changes.Writer);
            LogWatching(string.Join(", ", files.Order(StringComparer.Ordinal)));
            var changed = await changes.Reader.ReadAsync(stoppingToken);
            await QuietAsync(changes.Reader, quiet, stoppingToken);
            LogChanged(changed, quiet.TotalSeconds);
            await reloader.ReloadAsync(ReloadTrigger.Watch).WaitAsync(stoppingToken);
        }
    }

    /// <summary>Returns once no change has been reported for <paramref name="quiet"/>.</summary>
    private static async Task QuietAsync(ChannelReader<string> changes, TimeSpan quiet, CancellationToken stoppingToken)
    {
        while (true)
        {
            while (changes.TryRead(out _))
            {
            }

            using var window = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            window.CancelAfter(quiet);
            try
            {
                await changes.WaitToReadAsync(window.Token);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private Watchers Watch(HashSet<string> files, ChannelWriter<string> changes)
    {
        var watchers = new Watchers();
        foreach (var directory in files.Select(Path.GetDirectoryName).Distinct(StringComparer.Ordinal))
        {
            if (directory is null || !Directory.Exists(directory))
            {
                continue;
            }

            var watcher = new FileSystemWatcher(directory)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
                IncludeSubdirectories = false,
            };
            void OnChange(string path)
            {
                if (files.Contains(path))
                {
                    changes.TryWrite(path);
                }
            }

            watcher.Changed += (_, e) => OnChange(e.FullPath);
            watcher.Created += (_, e) => OnChange(e.FullPath);
            watcher.Deleted += (_, e) => OnChange(e.FullPath);
            watcher.Renamed += (_, e) =>
            {
                OnChange(e.FullPath);
                OnChange(e.OldFullPath);
            };
            watcher.Error += (_, e) => LogWatchError(e.GetException().Message);
            watcher.EnableRaisingEvents = true;
            watchers.Add(watcher);
        }

        return watchers;
    }

    [LoggerMessage(LogLevel.Information, "Watching {Files} for changes (Dataset:Watch)")]
    private partial void LogWatching(string files);

    [LoggerMessage(LogLevel.Information, "{File} changed; quiet for {QuietSeconds} s: reloading")]
    private partial void LogChanged(string file, double quietSeconds);

    [LoggerMessage(LogLevel.Warning, "File watch error: {Message}; changes may be missed until the next reload")]
    private partial void LogWatchError(string message);

    private sealed class Watchers : List<FileSystemWatcher>, IDisposable
    {
        public void Dispose()
        {
            foreach (var watcher in this)
            {
                watcher.Dispose();
            }
        }
    }
}
