using TileServer.Core.Versioning;

namespace TileServer.Map;

/// <summary>How an estimate column is presented on the map: the <c>Map:Indicators:{column}</c> entries.</summary>
public sealed class IndicatorOptions
{
    /// <summary>Title by language (<c>es</c>, <c>en</c>); the column name when absent.</summary>
    public Dictionary<string, string> Title { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Unit shown after values: <c>%</c>, <c>persons</c>; empty for an index.</summary>
    public string Unit { get; set; } = "";

    /// <summary>True when higher values mean more deprivation (the default); false for a development index.</summary>
    public bool HigherIsWorse { get; set; } = true;

    /// <summary>
    /// How the first of a ranking is called, by language (<c>"poorest"</c>: "12th poorest of 171 districts"); ranks
    /// count from the most deprived end. Absent: "highest" or "lowest" as <see cref="HigherIsWorse"/> says.
    /// </summary>
    public Dictionary<string, string> RankLabel { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>
/// The web map and its style: the <c>Map</c> configuration section. The style's answers depend on it, so it enters
/// the dataset version (<see cref="Dataset.ServedDatasetBuilder"/>), the cache policy apart.
/// </summary>
public sealed class MapOptions
{
    public const string SectionName = "Map";

    /// <summary>
    /// A MapLibre style URL drawn under the poverty layers (an operator's basemap); empty by default, so that no
    /// request of the page or the style leaves the server.
    /// </summary>
    [NotInVersion("the page's basemap: no answer of the server changes")]
    public string BasemapStyle { get; set; } = "";

    /// <summary>The indicator the map and <c>/styles/poverty.json</c> show when none is asked for.</summary>
    public string DefaultIndicator { get; set; } = "pobreza_pct";

    /// <summary>Titles, units and direction of the estimate columns, by column name; columns not listed get their name and no unit.</summary>
    public Dictionary<string, IndicatorOptions> Indicators { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The font the style's labels ask for: one that <c>/fonts</c> serves.</summary>
    public string FontStack { get; set; } = "Noto Sans Regular";

    /// <summary><c>Cache-Control</c> of the style, glyphs and the map's static files.</summary>
    [NotInVersion("a caching directive: it changes no answer")]
    public string CacheControl { get; set; } = "public, max-age=300";

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(BasemapStyle)
            && !(Uri.TryCreate(BasemapStyle, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"Map:BasemapStyle must be an absolute http(s) URL of a MapLibre style, got '{BasemapStyle}'");
        }

        if (string.IsNullOrWhiteSpace(DefaultIndicator))
        {
            errors.Add("Map:DefaultIndicator must name a numeric estimate column");
        }

        if (string.IsNullOrWhiteSpace(FontStack) || FontStack.Contains(',', StringComparison.Ordinal))
        {
            errors.Add($"Map:FontStack must name one font, got '{FontStack}'");
        }

        return errors;
    }
}
