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

        return errors;
    }
}
