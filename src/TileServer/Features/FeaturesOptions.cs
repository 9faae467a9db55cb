using Microsoft.Extensions.Options;
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
}

internal sealed class FeaturesOptionsValidator : IValidateOptions<FeaturesOptions>
{
    public ValidateOptionsResult Validate(string? name, FeaturesOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Title))
        {
            errors.Add("Features:Title must not be empty.");
        }

        if (options.MaxLimit is < 1 or > 100_000)
        {
            errors.Add($"Features:MaxLimit must be between 1 and 100000, got {options.MaxLimit}.");
        }

        if (options.DefaultLimit < 1 || options.DefaultLimit > options.MaxLimit)
        {
            errors.Add($"Features:DefaultLimit must be between 1 and Features:MaxLimit ({options.MaxLimit}), got {options.DefaultLimit}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
