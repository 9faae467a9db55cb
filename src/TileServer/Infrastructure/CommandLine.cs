using System.CommandLine;
using Microsoft.Extensions.Options;

namespace TileServer.Infrastructure;

/// <summary>
/// The command line: <c>serve</c> (the default: every argument is configuration, e.g. <c>--Dataset:Districts=...</c>
/// and <c>--urls</c>) and the offline commands, which System.CommandLine parses.
/// </summary>
internal static class CommandLine
{
    private static RootCommand Root()
    {
        return new RootCommand("TileServer: district poverty maps as vector tiles, lookups, aggregates and GeoJSON. With no command, serves (configuration as --Key=value).")
        {
            SampleCommand.Create(),
            ExportTilesCommand.Create(),
            Tiles.TilesCommand.Create(),
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

    /// <summary>Runs the server; a configuration error stops start-up with one line on stderr and exit code 2.</summary>
    public static async Task<int> RunServerAsync(this WebApplication app)
    {
        try
        {
            // Validated here, before the host starts, so that the error is one line and not the host's stack trace.
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            await app.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException e)
        {
            await Console.Error.WriteLineAsync($"error: invalid configuration: {string.Join("; ", e.Failures)}");
            return 2;
        }
    }
}
