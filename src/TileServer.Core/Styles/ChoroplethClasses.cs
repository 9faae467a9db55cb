using TileServer.Core.Model;

namespace TileServer.Core.Styles;

/// <summary>
/// The class breaks (<see cref="ClassBreaks"/>, quintiles) of every numeric estimate column at every level, computed
/// once per dataset at load from each level's own units: a department's rate is compared with other departments',
/// a district's with other districts'.
/// </summary>
/// <remarks>Immutable after <see cref="Build"/>; safe to read from any thread.</remarks>
public sealed class ChoroplethClasses
{
    private readonly Dictionary<string, ClassBreaks?[]> _byIndicator;

    private ChoroplethClasses(IReadOnlyList<string> indicators, Dictionary<string, ClassBreaks?[]> byIndicator)
    {
        Indicators = indicators;
        _byIndicator = byIndicator;
    }

    /// <summary>The numeric estimate columns (the district layer's, in its column order): what a map can be coloured by.</summary>
    public IReadOnlyList<string> Indicators { get; }

    /// <summary>True when <paramref name="indicator"/> names a numeric column (case-insensitive).</summary>
    public bool Has(string indicator) => _byIndicator.ContainsKey(indicator);

    /// <summary>The breaks of <paramref name="indicator"/> at <paramref name="level"/>, or null when the column or level is absent.</summary>
    public ClassBreaks? For(string indicator, AdminLevel level) =>
        _byIndicator.TryGetValue(indicator, out var levels) ? levels[(int)level] : null;

    /// <summary>Computes the breaks of every numeric column of <paramref name="layers"/>' finest layer at every level.</summary>
    public static ChoroplethClasses Build(IReadOnlyList<AdminLayer> layers, int classes = ClassBreaks.DefaultClasses)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var finest = layers.MaxBy(l => l.Level) ?? throw new ArgumentException("no layers", nameof(layers));
        var indicators = finest.Columns.Where(c => c.Kind == ColumnKind.Number).Select(c => c.Name).ToArray();
        var byIndicator = new Dictionary<string, ClassBreaks?[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var indicator in indicators)
        {
            var perLevel = new ClassBreaks?[Enum.GetValues<AdminLevel>().Length];
            foreach (var layer in layers)
            {
                var column = layer.ColumnIndex(indicator);
                if (column >= 0)
                {
                    perLevel[(int)layer.Level] = ClassBreaks.Quantiles(Enumerable.Range(0, layer.Units.Count).Select(u => layer.Number(u, column)), classes);
                }
            }

            byIndicator[indicator] = perLevel;
        }

        return new ChoroplethClasses(indicators, byIndicator);
    }
}
