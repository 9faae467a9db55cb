using TileServer.Core.Versioning;

namespace TileServer.Lookup;

/// <summary>Configuration section <c>Lookup</c>, validated at start.</summary>
public sealed class LookupOptions
{
    public const string SectionName = "Lookup";

    /// <summary>
    /// A point outside every district answers the nearest district whose border lies within this many metres
    /// (geodesic), with <c>match: "nearest"</c>; farther, 404. 1,000 m, like the cleaner's gap width: covers GPS
    /// fixes on a beach, a river or a lake shore against borders simplified to about 100 vertices per district, and
    /// stays well under the width of a district. Key <c>Lookup:MaxSnapMetres</c>; the former spelling
    /// <c>Lookup:MaxSnapMeters</c> is still read, with a warning (<see cref="LookupServiceExtensions"/>).
    /// </summary>
    public double MaxSnapMetres { get; set; } = 1000;

    /// <summary>Most points in one <c>POST /v1/lookup</c>; more answer 413.</summary>
    [NotInVersion("a limit: it refuses a batch (413) but changes no answer given")]
    public int MaxBatchPoints { get; set; } = 100_000;

    /// <summary>Largest <c>POST /v1/lookup</c> body in bytes (Kestrel's default request body limit); more answers 413.</summary>
    [NotInVersion("a limit: it refuses a batch (413) but changes no answer given")]
    public int MaxBodyBytes { get; set; } = 30_000_000;

    /// <summary>
    /// Longest time one batch answer may take to be written, in seconds; past it the connection is aborted (the client
    /// sees a cut answer). 300 s lets the largest batch's answer (about 17 MB) reach a reader at 60 KB/s, a slow mobile
    /// link, and stops a reader that stalls from holding the answer's buffers for hours at Kestrel's minimum response
    /// rate (issue 17, defect 13).
    /// </summary>
    [NotInVersion("a limit: it cuts a stalled answer but changes no answer given")]
    public int MaxResponseSeconds { get; set; } = 300;

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!double.IsFinite(MaxSnapMetres) || MaxSnapMetres < 0 || MaxSnapMetres > 100_000)
        {
            errors.Add($"Lookup:MaxSnapMetres must be between 0 and 100000 metres, got {MaxSnapMetres}.");
        }

        if (MaxBatchPoints < 1 || MaxBatchPoints > 10_000_000)
        {
            errors.Add($"Lookup:MaxBatchPoints must be between 1 and 10000000, got {MaxBatchPoints}.");
        }

        if (MaxBodyBytes is < 1_024 or > int.MaxValue - 1)
        {
            errors.Add($"Lookup:MaxBodyBytes must be between 1024 and {int.MaxValue - 1}, got {MaxBodyBytes}.");
        }

        if (MaxResponseSeconds is < 1 or > 86_400)
        {
            errors.Add($"Lookup:MaxResponseSeconds must be between 1 and 86400 seconds, got {MaxResponseSeconds}.");
        }

        return errors;
    }
}
