using Microsoft.Extensions.Options;
using TileServer.Core.Ingest;

namespace TileServer.Infrastructure;

/// <summary>
/// How a failed load ends, for the server and every command alike: one line on stderr and exit code 2 for a missing
/// or unreadable file, 1 for a file that cannot be used (README, "Bad input files").
/// </summary>
internal static class LoadFailure
{
    /// <summary>2 for a missing or unreadable file, else 1.</summary>
    public static int ExitCode(Exception error) => error switch
    {
        DataFileException { Fault: DataFileFault.NotFound or DataFileFault.Unreadable } => 2,
        FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => 2,
        OptionsValidationException => 2,
        _ => 1,
    };

    /// <summary>
    /// The one line to print: the message of a known failure as it is; for anything else (a defect, not the input's
    /// fault) its type and first line, never a stack trace.
    /// </summary>
    public static string Describe(Exception error) => error switch
    {
        DataFileException or IOException or UnauthorizedAccessException or InvalidDataException => error.Message,
        OptionsValidationException e => $"invalid configuration: {string.Join("; ", e.Failures)}",
        _ => $"{error.GetType().Name}: {error.Message.Split('\n')[0].TrimEnd()}",
    };
}
