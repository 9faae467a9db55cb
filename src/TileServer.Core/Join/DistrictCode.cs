using System.Globalization;

namespace TileServer.Core.Join;

/// <summary>
/// Normalises administrative codes (INEI UBIGEO and the like) to text. Codes are text: leading zeros are kept, and
/// numeric-looking codes shorter than the code width are left-padded with zeros, since spreadsheets and numeric
/// <c>.dbf</c> fields drop them (<c>10101</c> is <c>010101</c>; <c>10101.0</c> too).
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class DistrictCode
{
    /// <summary>The normalised code, or null for an empty value.</summary>
    public static string? Normalize(object? value, int width)
    {
        var text = value switch
        {
            null => null,
            string s => s,
            // A whole double below 1e15 prints without a fraction or exponent (shortest round-trip formatting).
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (text.EndsWith(".0", StringComparison.Ordinal) && IsDigits(text.AsSpan(0, text.Length - 2)))
        {
            text = text[..^2];
        }

        // PadLeft leaves a code at or over the width as it is.
        return IsDigits(text) ? text.PadLeft(width, '0') : text;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
