using TileServer.Core.Aggregation;
using TileServer.Core.Versioning;

namespace TileServer.Aggregation;

/// <summary>
/// Aggregation requests: the <c>Aggregation</c> configuration section, validated at start. The limits only refuse
/// requests and stay out of the dataset version; <see cref="InvalidRings"/> changes answers and is in it.
/// </summary>
public sealed class AggregationOptions
{
    public const string SectionName = "Aggregation";

    private const string Limit = "a limit: it refuses a request (413 or 400) but changes no answer given";

    /// <summary>Most vertices (positions) in one request body, all features together; more is 413.</summary>
    [NotInVersion(Limit)]
    public int MaxVertices { get; set; } = 100_000;

    /// <summary>Most features in a FeatureCollection; more is 413.</summary>
    [NotInVersion(Limit)]
    public int MaxFeatures { get; set; } = 1_000;

    /// <summary>Largest request body in bytes; more is 413.</summary>
    [NotInVersion(Limit)]
    public int MaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Deepest JSON nesting in a body (a MultiPolygon Feature in a FeatureCollection needs 8).</summary>
    [NotInVersion(Limit)]
    public int MaxDepth { get; set; } = 16;

    /// <summary>Largest circle radius in kilometres.</summary>
    [NotInVersion(Limit)]
    public double MaxRadiusKm { get; set; } = 2_000;

    /// <summary><c>Repair</c> (default: GeometryFixer, reported in <c>repair</c>) or <c>Reject</c> self-intersecting rings.</summary>
    public InvalidRingHandling InvalidRings { get; set; } = InvalidRingHandling.Repair;

    /// <summary>Most self-intersections repaired in one query geometry; more is 422 <c>tooComplex</c> (<see cref="AggregationLimits.MaxSelfIntersections"/>).</summary>
    [NotInVersion("a limit: it refuses a request (422) but changes no answer given")]
    public int MaxSelfIntersections { get; set; } = new AggregationLimits().MaxSelfIntersections;

    /// <summary>Most overlay work in one request (district plus query vertices of each district whose border the query
    /// crosses); more is 422 <c>tooComplex</c> (<see cref="AggregationLimits.MaxOverlayVertices"/>).</summary>
    [NotInVersion("a limit: it refuses a request (422) but changes no answer given")]
    public long MaxOverlayVertices { get; set; } = new AggregationLimits().MaxOverlayVertices;

    /// <summary>The limits handed to the engine.</summary>
    public AggregationLimits EngineLimits() => new()
    {
        MaxVertices = MaxVertices,
        MaxRadiusKm = MaxRadiusKm,
        InvalidRings = InvalidRings,
        MaxSelfIntersections = MaxSelfIntersections,
        MaxOverlayVertices = MaxOverlayVertices,
    };

    /// <summary>The limits handed to the GeoJSON reader.</summary>
    public GeoJsonReadLimits ReadLimits() => new() { MaxDepth = MaxDepth, MaxVertices = MaxVertices, MaxFeatures = MaxFeatures };

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxVertices is < 4 or > 10_000_000)
        {
            errors.Add($"Aggregation:MaxVertices must be between 4 and 10000000, got {MaxVertices}");
        }

        if (MaxFeatures is < 1 or > 100_000)
        {
            errors.Add($"Aggregation:MaxFeatures must be between 1 and 100000, got {MaxFeatures}");
        }

        if (MaxBodyBytes is < 1_024 or > 512 * 1024 * 1024)
        {
            errors.Add($"Aggregation:MaxBodyBytes must be between 1024 and 536870912, got {MaxBodyBytes}");
        }

        if (MaxDepth is < 8 or > 64)
        {
            errors.Add($"Aggregation:MaxDepth must be between 8 (a MultiPolygon Feature in a FeatureCollection) and 64, got {MaxDepth}");
        }

        if (!(MaxRadiusKm > 0 && MaxRadiusKm <= 10_000))
        {
            errors.Add($"Aggregation:MaxRadiusKm must be above 0 and at most 10000, got {MaxRadiusKm}");
        }

        if (MaxSelfIntersections is < 0 or > 1_000_000)
        {
            errors.Add($"Aggregation:MaxSelfIntersections must be between 0 (repair nothing that crosses itself) and 1000000, got {MaxSelfIntersections}");
        }

        if (MaxOverlayVertices is < 1_000 or > 10_000_000_000)
        {
            errors.Add($"Aggregation:MaxOverlayVertices must be between 1000 and 10000000000, got {MaxOverlayVertices}");
        }

        if (!Enum.IsDefined(InvalidRings))
        {
            errors.Add($"Aggregation:InvalidRings must be Repair or Reject, got {InvalidRings}");
        }

        return errors;
    }
}
