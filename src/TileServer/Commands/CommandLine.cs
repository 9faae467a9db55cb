using System.CommandLine;
using Microsoft.Extensions.Options;
using TileServer.Infrastructure;

namespace TileServer.Commands;

/// <summary>
/// The command line: <c>serve</c> (the default: every argument is configuration, e.g. <c>--Dataset:Districts=...</c>
/// and <c>--urls</c>) and the offline commands, which System.CommandLine parses. Every command fails the same way:
/// one line on stderr, exit code 2 for the configuration or a missing file, 1 for a file that cannot be read.
/// </summary>
internal static class CommandLine
{
    private static RootCommand Root()
    {
        return new RootCommand("TileServer: district poverty maps as vector tiles, lookups, aggregates and GeoJSON. With no command, serves (configuration as --Key=value).")
        {
            SampleCommand.Create(),
            ExportTilesCommand.Create(),
            ExportSnapshotCommand.Create(),
            BuildTilesCommand.Create(),
        };
    }

    public static bool IsCommand(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && args[0] != "serve"
        || args is ["--help" or "-h" or "-?"];

    public static async Task<int> RunAsync(string[] args)
    {
        var result = Root().Parse(args);
        return await result.InvokeAsync();
    }

    /// <summary>
    /// Validates every options section right after the host is built, before the pipeline reads any of them: an
    /// invalid value is one line on stderr and exit code 2 (returned), not the host's stack trace; null when valid.
    /// </summary>
    public static int? InvalidConfiguration(this WebApplication app)
    {
        var invalid = Guard(() =>
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return 0;
        });
        return invalid == 0 ? null : invalid;
    }

    /// <summary>Runs the server until it stops; the exit code (0, or a failed first load's).</summary>
    public static async Task<int> RunServerAsync(this WebApplication app)
    {
        await app.RunAsync();
        return Environment.ExitCode;
    }

    /// <summary>Runs <paramref name="work"/>; a failure is one line on stderr and an exit code, never a stack trace.</summary>
    public static int Guard(Func<int> work)
    {
        try
        {
            return work();
        }
        catch (OptionsValidationException e)
        {
            return Fail($"invalid configuration: {string.Join("; ", e.Failures)}", 2);
        }
        catch (InvalidOperationException e) when (e.TargetSite?.DeclaringType == typeof(ConfigurationBinder))
        {
            // A value the binder cannot convert ("Failed to convert configuration value 'abc' at 'Lookup:MaxSnapMetres' ...").
            return Fail($"invalid configuration: {e.Message}", 2);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Missing or unreadable input: 2; anything else: 1, in one line (LoadFailure, as the server's own load).
            return Fail(LoadFailure.Describe(e), LoadFailure.ExitCode(e));
        }
    }

    /// <summary>Writes <c>error: message</c> to stderr and returns <paramref name="exitCode"/>.</summary>
    public static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }
}
