using TileServer.Core.Features;

namespace TileServer.Features;

/// <summary>The <c>Features</c> configuration section: the OGC API landing page's words and the <c>items</c> paging bounds.</summary>
public sealed class FeaturesOptions
{
    public const string SectionName = "Features";

    /// <summary>The landing page's <c>title</c>.</summary>
    public string Title { get; set; } = "Poverty maps";

    /// <summary>The landing page's <c>description</c>.</summary>
    public string Description { get; set; } =
        "District, province and department poverty estimates with their boundaries: OGC API - Features (GeoJSON, CSV, GeoPackage, Shapefile), vector tiles, lookups and aggregation.";

    /// <summary><c>limit</c> when a request gives none.</summary>
    public int DefaultLimit { get; set; } = 100;

    /// <summary>The largest page; a larger <c>limit</c> is capped to it (not refused).</summary>
    public int MaxLimit { get; set; } = 10_000;

    public FeatureLimits Limits() => new(DefaultLimit, MaxLimit);

    /// <summary>Problems with the values, one message each naming the key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Title))
        {
            errors.Add("Features:Title must not be empty.");
        }

        if (MaxLimit is < 1 or > 100_000)
        {
            errors.Add($"Features:MaxLimit must be between 1 and 100000, got {MaxLimit}.");
        }

        if (DefaultLimit < 1 || DefaultLimit > MaxLimit)
        {
            errors.Add($"Features:DefaultLimit must be between 1 and Features:MaxLimit ({MaxLimit}), got {DefaultLimit}.");
        }

        return errors;
    }
}
