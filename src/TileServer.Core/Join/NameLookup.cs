using System.Globalization;
using TileServer.Core.Model;

namespace TileServer.Core.Join;

/// <summary>Finds a unit's name in a list of candidate fields: the polygon attributes first (they carry accents the
/// CSV often lacks), then the estimates columns.</summary>
internal static class NameLookup
{
    public static string? Find(
        IReadOnlyList<string> fields,
        IReadOnlyDictionary<string, object?> attributes,
        IReadOnlyList<object?>? values,
        IReadOnlyList<EstimateColumn> columns)
    {
        foreach (var field in fields)
        {
            foreach (var (name, value) in attributes)
            {
                if (string.Equals(name, field, StringComparison.OrdinalIgnoreCase) && Text(value) is { } text)
                {
                    return text;
                }
            }
        }

        if (values is null)
        {
            return null;
        }

        foreach (var field in fields)
        {
            for (var c = 0; c < columns.Count; c++)
            {
                if (string.Equals(columns[c].Name, field, StringComparison.OrdinalIgnoreCase) && Text(values[c]) is { } text)
                {
                    return text;
                }
            }
        }

        return null;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        string s => string.IsNullOrWhiteSpace(s) ? null : s.Trim(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
