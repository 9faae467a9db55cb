using System.Text;
using TileServer.Core.Model;

namespace TileServer.Core.Search;

/// <summary>How a unit's name matched a query, best first.</summary>
public enum SearchMatch
{
    /// <summary>The whole name is the query.</summary>
    Exact,

    /// <summary>The name starts with the query.</summary>
    Prefix,

    /// <summary>A later word of the name starts with the query (<c>lurigancho</c> in SAN JUAN DE LURIGANCHO).</summary>
    WordPrefix,

    /// <summary>The query occurs inside a word of the name.</summary>
    Infix,
}

/// <summary>One search result: a unit of <see cref="Level"/> (an index into that layer's units) and how it matched.</summary>
public readonly record struct SearchHit(AdminLevel Level, int Unit, SearchMatch Match);

/// <summary>
/// Units of all three levels by name, accent- and case-insensitive: <c>asuncion</c> finds ASUNCIÓN, <c>nunoa</c>
/// ÑUÑOA. Results come exact matches first, then names that start with the query, then names with a later word
/// that starts with it, then names that contain it; within each group coarser levels first (a department before the
/// province and the district of the same name), then larger population, then name and code.
/// </summary>
/// <remarks>
/// <para><b>Folding.</b> Names and queries are transliterated to ASCII (AnyAscii: Ó to O, Ñ to N, ß to ss; the
/// server runs with invariant globalization, where Unicode decomposition is not available), lower-cased, and every
/// run of other characters (spaces, apostrophes, hyphens) becomes one space, so <c>d'avila</c> and
/// <c>d avila</c> are the same query.</para>
/// <para><b>Layout and cost.</b> The folded names are one contiguous char array in result order (level, population
/// descending, name, code), separated by a character no folded text holds, so a query is one vectorised substring
/// search over the whole array (about 22,000 chars on Peru): each match is mapped to its name by a binary search over
/// the name starts, classified, put in the bucket of its <see cref="SearchMatch"/>, and the search resumes after that
/// name; it stops as soon as the exact bucket is full. One scan over a few thousand short names beats building a
/// trie or n-gram index here, and answers infix queries too. Searching allocates nothing beyond folding a non-ASCII
/// query.</para>
/// <para>Thread safety: immutable after <see cref="Build"/>; any number of concurrent searches.</para>
/// </remarks>
public sealed class UnitSearchIndex
{
    /// <summary>Longest query searched (longer ones are cut): no name is longer.</summary>
    public const int MaxQueryLength = 100;

    // Between names in the names array: folded text holds only ASCII letters, digits and single spaces.
    private const char Separator = '\n';

    private readonly char[] _names;
    private readonly int[] _starts;
    private readonly int[] _ends;
    private readonly AdminLevel[] _levels;
    private readonly int[] _units;

    private UnitSearchIndex(char[] names, int[] starts, int[] ends, AdminLevel[] levels, int[] units)
    {
        _names = names;
        _starts = starts;
        _ends = ends;
        _levels = levels;
        _units = units;
    }

    /// <summary>Number of units indexed.</summary>
    public int Count => _units.Length;

    /// <summary>Indexes the units of every layer; <paramref name="populationColumn"/> orders equal matches (larger first).</summary>
    public static UnitSearchIndex Build(IEnumerable<AdminLayer> layers, string populationColumn)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var entries = new List<(AdminLevel Level, int Unit, double Population, string Folded, string Name, string Code)>();
        foreach (var layer in layers)
        {
            var population = layer.ColumnIndex(populationColumn);
            for (var u = 0; u < layer.Units.Count; u++)
            {
                var unit = layer.Units[u];
                entries.Add((layer.Level, u, layer.Number(u, population) ?? 0, Fold(unit.Name), unit.Name, unit.Code));
            }
        }

        var ordered = entries
            .OrderBy(e => e.Level)
            .ThenByDescending(e => e.Population)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ThenBy(e => e.Code, StringComparer.Ordinal)
            .ToArray();
        var names = new StringBuilder();
        var starts = new int[ordered.Length];
        var ends = new int[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
        {
            starts[i] = names.Length;
            names.Append(ordered[i].Folded);
            ends[i] = names.Length;
            names.Append(Separator);
        }

        return new UnitSearchIndex(names.ToString().ToCharArray(), starts, ends, [.. ordered.Select(e => e.Level)], [.. ordered.Select(e => e.Unit)]);
    }

    /// <summary>
    /// Fills <paramref name="hits"/> with the best matches of <paramref name="query"/> (as many as it holds) and
    /// returns how many were found. A query that folds to nothing (only spaces or punctuation) matches nothing.
    /// </summary>
    public int Search(ReadOnlySpan<char> query, Span<SearchHit> hits)
    {
        if (hits.IsEmpty)
        {
            return 0;
        }

        Span<char> buffer = stackalloc char[MaxQueryLength * 2];
        var folded = Fold(query.Length > MaxQueryLength ? query[..MaxQueryLength] : query, buffer);
        if (folded.IsEmpty)
        {
            return 0;
        }

        var limit = hits.Length;
        // Four buckets (one per SearchMatch) of up to `limit` entries each, in scan order.
        var buckets = limit <= 64 ? stackalloc int[4 * limit] : new int[4 * limit];
        Span<int> counts = stackalloc int[4];
        var all = _names.AsSpan();
        for (var at = 0; counts[0] < limit;)
        {
            var next = all[at..].IndexOf(folded, StringComparison.Ordinal);
            if (next < 0)
            {
                break;
            }

            // The name holding the match; the separators keep a match inside one name.
            var entry = EntryAt(at + next);
            var start = _starts[entry];
            var name = all[start.._ends[entry]];
            var bucket = (int)Classify(name, folded, at + next - start);
            if (counts[bucket] < limit)
            {
                buckets[(bucket * limit) + counts[bucket]++] = entry;
            }

            at = _ends[entry] + 1;
        }

        var found = 0;
        for (var bucket = 0; bucket < 4 && found < limit; bucket++)
        {
            for (var k = 0; k < counts[bucket] && found < limit; k++)
            {
                var entry = buckets[(bucket * limit) + k];
                hits[found++] = new SearchHit(_levels[entry], _units[entry], (SearchMatch)bucket);
            }
        }

        return found;
    }

    /// <summary>The entry whose name holds the character at <paramref name="position"/> of the names array.</summary>
    private int EntryAt(int position)
    {
        var found = Array.BinarySearch(_starts, position);
        return found >= 0 ? found : ~found - 1;
    }

    /// <summary>The folded form of a name or query (see the remarks): ASCII, lower case, single spaces, trimmed.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[(text.Length * 8) + 2];
        return new string(Fold(text, buffer));
    }

    private static SearchMatch Classify(ReadOnlySpan<char> name, ReadOnlySpan<char> query, int first)
    {
        if (first == 0)
        {
            return name.Length == query.Length ? SearchMatch.Exact : SearchMatch.Prefix;
        }

        // A later occurrence may start a word even when the first does not (query "an" in "SAN ANTONIO").
        for (var at = first; at >= 0;)
        {
            if (name[at - 1] == ' ')
            {
                return SearchMatch.WordPrefix;
            }

            var next = name[(at + 1)..].IndexOf(query, StringComparison.Ordinal);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return SearchMatch.Infix;
    }

    /// <summary>Folds <paramref name="text"/> into <paramref name="buffer"/> and returns the folded part (cut where the buffer is full).</summary>
    private static ReadOnlySpan<char> Fold(ReadOnlySpan<char> text, Span<char> buffer)
    {
        var length = 0;
        var pendingSpace = false;
        Span<char> single = stackalloc char[1];
        foreach (var rune in text.EnumerateRunes())
        {
            single[0] = (char)rune.Value;
            ReadOnlySpan<char> ascii = rune.IsAscii ? single : AnyAscii.Transliteration.Transliterate(rune.ToString());
            foreach (var c in ascii)
            {
                if (!char.IsAsciiLetterOrDigit(c))
                {
                    pendingSpace = true;
                    continue;
                }

                if (length + 2 > buffer.Length)
                {
                    return buffer[..length];
                }

                if (pendingSpace && length > 0)
                {
                    buffer[length++] = ' ';
                }

                pendingSpace = false;
                buffer[length++] = char.ToLowerInvariant(c);
            }
        }

        return buffer[..length];
    }
}
