using System.Text;

namespace TileServer.Core.Sample;

/// <summary>
/// Deterministic place names in the style of Peruvian toponyms (upper case, Quechua- and Spanish-like syllables), some
/// with Ñ and accented vowels so that attribute encodings are exercised, some with "SAN"/"SANTA" prefixes.
/// </summary>
/// <remarks>Not thread-safe (it owns a random stream and the set of names already used).</remarks>
internal sealed class SyntheticNames(SampleRandom random)
{
    private static readonly string[] PlainSyllables =
    [
        "HUA", "CHA", "PA", "MA", "CA", "TA", "LLA", "YA", "RI", "CO", "QUI", "PU", "SA", "TO", "LO", "NA", "RA", "CU",
        "HUAN", "PAM", "BAM", "TAM", "CON", "YAU", "GUA", "MI", "JA", "LI", "QUE", "CHU", "RO", "BA", "SI", "TI", "PI",
        "CAS", "MAR", "CHI", "LU", "YU", "HUI", "PAL", "CAR", "TU", "MO",
    ];

    private static readonly string[] AccentedSyllables = ["ÑA", "ÑU", "MÓN", "CIÓN", "RÍ", "TÁ", "ÁN", "PÉ", "CÚ", "ÑO"];

    private static readonly string[] Prefixes = ["SAN ", "SANTA ", "SANTO TOMÁS DE ", "NUEVA ", "VILLA "];

    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>A name not returned before by this instance.</summary>
    public string NextUnique()
    {
        while (true)
        {
            var name = Next();
            if (_used.Add(name))
            {
                return name;
            }
        }
    }

    /// <summary>Forgets the names used so far (names need only be unique within one scope, e.g. one province).</summary>
    public void ResetScope() => _used.Clear();

    /// <summary>Marks a name as used in the current scope.</summary>
    public void Reserve(string name) => _used.Add(name);

    private string Next()
    {
        var builder = new StringBuilder(32);
        if (random.Chance(0.06))
        {
            builder.Append(Prefixes[random.Next(Prefixes.Length)]);
        }

        var syllables = 2 + random.Next(2);
        for (var s = 0; s < syllables; s++)
        {
            builder.Append(random.Chance(0.07)
                ? AccentedSyllables[random.Next(AccentedSyllables.Length)]
                : PlainSyllables[random.Next(PlainSyllables.Length)]);
        }

        return builder.ToString();
    }
}
