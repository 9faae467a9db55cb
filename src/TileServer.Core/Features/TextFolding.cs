using System.Text;

namespace TileServer.Core.Features;

/// <summary>
/// CQL2's <c>CASEI</c> and <c>ACCENTI</c> (OGC 21-065r2, 6.4.5): case folding with the invariant culture's full
/// Unicode lower-case mapping, and accent removal for Latin letters (Latin-1 Supplement and Latin Extended-A, the
/// letters of Spanish, Portuguese, French, Quechua and Aymara names) and combining marks U+0300..U+036F.
/// </summary>
/// <remarks>
/// Written by hand because the server runs with <c>InvariantGlobalization</c>, where
/// <see cref="string.Normalize(NormalizationForm)"/> has no decomposition data and returns its input unchanged.
/// Thread safety: stateless.
/// </remarks>
public static class TextFolding
{
    private static readonly char[] Bases = BuildBases(
        ("ÀÁÂÃÄÅĀĂĄ", 'A'), ("àáâãäåāăą", 'a'), ("ÇĆĈĊČ", 'C'), ("çćĉċč", 'c'), ("ĎĐ", 'D'), ("ďđ", 'd'),
        ("ÈÉÊËĒĔĖĘĚ", 'E'), ("èéêëēĕėęě", 'e'), ("ĜĞĠĢ", 'G'), ("ĝğġģ", 'g'), ("ĤĦ", 'H'), ("ĥħ", 'h'),
        ("ÌÍÎÏĨĪĬĮİ", 'I'), ("ìíîïĩīĭįı", 'i'), ("Ĵ", 'J'), ("ĵ", 'j'), ("Ķ", 'K'), ("ķ", 'k'), ("ĹĻĽĿŁ", 'L'),
        ("ĺļľŀł", 'l'), ("ÑŃŅŇ", 'N'), ("ñńņňŉ", 'n'), ("ÒÓÔÕÖØŌŎŐ", 'O'), ("òóôõöøōŏő", 'o'), ("ŔŖŘ", 'R'),
        ("ŕŗř", 'r'), ("ŚŜŞŠ", 'S'), ("śŝşš", 's'), ("ŢŤŦ", 'T'), ("ţťŧ", 't'), ("ÙÚÛÜŨŪŬŮŰŲ", 'U'),
        ("ùúûüũūŭůűų", 'u'), ("Ŵ", 'W'), ("ŵ", 'w'), ("ÝŶŸ", 'Y'), ("ýÿŷ", 'y'), ("ŹŻŽ", 'Z'), ("źżž", 'z'));

    public static string CaseFold(string value) => value.ToLowerInvariant();

    /// <summary><paramref name="value"/> with accents removed: <c>ASUNCIÓN</c> becomes <c>ASUNCION</c>, <c>Ñandú</c> <c>Nandu</c>.</summary>
    public static string RemoveAccents(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var i = 0;
        while (i < value.Length && value[i] < '\u00C0')
        {
            i++;
        }

        if (i == value.Length)
        {
            return value;
        }

        var folded = new StringBuilder(value.Length);
        folded.Append(value, 0, i);
        for (; i < value.Length; i++)
        {
            var c = value[i];
            if (c is >= '\u0300' and <= '\u036F')
            {
                continue;
            }

            folded.Append(c < Bases.Length && Bases[c] != '\0' ? Bases[c] : c);
        }

        return folded.ToString();
    }

    private static char[] BuildBases(params (string Accented, char Base)[] groups)
    {
        var bases = new char[0x180];
        foreach (var (accented, letter) in groups)
        {
            foreach (var c in accented)
            {
                bases[c] = letter;
            }
        }

        return bases;
    }
}
