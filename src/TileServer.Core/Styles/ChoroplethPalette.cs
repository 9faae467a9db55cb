namespace TileServer.Core.Styles;

/// <summary>
/// Colours of a sequential choropleth: ColorBrewer's YlOrRd (Cynthia Brewer, colorbrewer2.org), which ColorBrewer
/// marks colour-blind safe for 3 to 5 classes: its classes differ in lightness, not only in hue, so they stay in
/// order for deuteranopes, protanopes and tritanopes, and in greyscale print. Light is "least", dark red "most
/// deprived". Units without a value are <see cref="NoData"/>, a neutral grey outside the ramp (the web map also
/// hatches them, so they do not depend on colour at all).
/// </summary>
public static class ChoroplethPalette
{
    public const string NoData = "#bdbdbd";

    private static readonly string[][] YlOrRd =
    [
        ["#fd8d3c"],
        ["#feb24c", "#f03b20"],
        ["#ffeda0", "#feb24c", "#f03b20"],
        ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
        ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
    ];

    /// <summary>Most classes a ramp is defined for.</summary>
    public const int MaxClasses = 5;

    /// <summary>The <paramref name="classes"/> colours from least to most deprived.</summary>
    public static IReadOnlyList<string> Colors(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(classes, MaxClasses);
        return YlOrRd[classes - 1];
    }
}
