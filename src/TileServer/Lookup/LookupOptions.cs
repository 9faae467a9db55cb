using Microsoft.Extensions.Options;

namespace TileServer.Lookup;

/// <summary>Configuration section <c>Lookup</c>.</summary>
public sealed class LookupOptions
{
    public const string SectionName = "Lookup";

    /// <summary>
    /// A point outside every district answers the nearest district whose border lies within this many metres
    /// (geodesic), with <c>match: "nearest"</c>; farther, 404. 1,000 m, like the cleaner's gap width: covers GPS
    /// fixes on a beach, a river or a lake shore against borders simplified to about 100 vertices per district, and
    /// stays well under the width of a district.
    /// </summary>
    public double MaxSnapMeters { get; set; } = 1000;

    /// <summary>Most points in one <c>POST /v1/lookup</c>; more answer 413.</summary>
    public int MaxBatchPoints { get; set; } = 100_000;
}

internal sealed class LookupOptionsValidator : IValidateOptions<LookupOptions>
{
    public ValidateOptionsResult Validate(string? name, LookupOptions options)
    {
        var errors = new List<string>();
        if (!double.IsFinite(options.MaxSnapMeters) || options.MaxSnapMeters < 0 || options.MaxSnapMeters > 100_000)
        {
            errors.Add($"Lookup:MaxSnapMeters must be between 0 and 100000 metres, got {options.MaxSnapMeters}.");
        }

        if (options.MaxBatchPoints < 1 || options.MaxBatchPoints > 10_000_000)
        {
            errors.Add($"Lookup:MaxBatchPoints must be between 1 and 10000000, got {options.MaxBatchPoints}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
