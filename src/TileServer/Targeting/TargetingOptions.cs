using TileServer.Core.Aggregation;
using TileServer.Core.Targeting;
using TileServer.Core.Versioning;

namespace TileServer.Targeting;

/// <summary>
/// Targeting and allocation requests: the <c>Targeting</c> configuration section, validated at start. The default
/// indicators and <see cref="InvalidRings"/> change answers and are in the dataset version; the limits only refuse
/// requests and stay out of it.
/// </summary>
public sealed class TargetingOptions
{
    public const string SectionName = "Targeting";

    private const string Limit = "a limit: it refuses a request (413 or 400) but changes no answer given";

    /// <summary>The rate column that says who is poor when a request names no indicator (a share of the population).</summary>
    public string Indicator { get; set; } = "pobreza_pct";

    /// <summary>The rate column that says who is extremely poor: the <c>extremePoor</c> allocation basis.</summary>
    public string ExtremePovertyIndicator { get; set; } = "pobreza_extrema_pct";

    /// <summary>Largest request body in bytes (a scope area included); more is 413.</summary>
    [NotInVersion(Limit)]
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Deepest JSON nesting in a body (a MultiPolygon Feature as the scope needs 7).</summary>
    [NotInVersion(Limit)]
    public int MaxDepth { get; set; } = 16;

    /// <summary>Most positions in a scope area.</summary>
    [NotInVersion(Limit)]
    public int MaxVertices { get; set; } = 100_000;

    /// <summary><c>Repair</c> (default: GeometryFixer, reported in <c>scope.repair</c>) or <c>Reject</c> a scope area with self-intersecting rings.</summary>
    public InvalidRingHandling InvalidRings { get; set; } = InvalidRingHandling.Repair;

    /// <summary>The defaults and limits handed to the request reader.</summary>
    public TargetingReadOptions ReadOptions() => new()
    {
        Indicator = Indicator,
        ExtremeIndicator = ExtremePovertyIndicator,
        MaxDepth = MaxDepth,
        MaxVertices = MaxVertices,
        InvalidRings = InvalidRings,
    };

    /// <summary>Problems with the values, one message each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Indicator))
        {
            errors.Add("Targeting:Indicator must name a rate column, such as pobreza_pct");
        }

        if (string.IsNullOrWhiteSpace(ExtremePovertyIndicator))
        {
            errors.Add("Targeting:ExtremePovertyIndicator must name a rate column, such as pobreza_extrema_pct");
        }

        if (MaxBodyBytes is < 1_024 or > 512 * 1024 * 1024)
        {
            errors.Add($"Targeting:MaxBodyBytes must be between 1024 and 536870912, got {MaxBodyBytes}");
        }

        if (MaxDepth is < 8 or > 64)
        {
            errors.Add($"Targeting:MaxDepth must be between 8 (a MultiPolygon Feature as the scope) and 64, got {MaxDepth}");
        }

        if (MaxVertices is < 4 or > 10_000_000)
        {
            errors.Add($"Targeting:MaxVertices must be between 4 and 10000000, got {MaxVertices}");
        }

        if (!Enum.IsDefined(InvalidRings))
        {
            errors.Add($"Targeting:InvalidRings must be Repair or Reject, got {InvalidRings}");
        }

        return errors;
    }
}
