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
/// search over the whole array (about 22,000 chars on Peru): each match is mapped to its name (names are scanned in
/// order), classified, put in the bucket of its <see cref="SearchMatch"/>, and the search resumes after that name (a
/// one-letter query, which matches most names, is searched name by name instead); it stops as soon as the exact bucket is full. One scan over a few thousand short names beats building a
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

    /// <summary>The index's arrays as they are in memory (a snapshot file stores them): names, name starts and ends, levels, units.</summary>
    internal (char[] Names, int[] Starts, int[] Ends, AdminLevel[] Levels, int[] Units) ToArrays() => (_names, _starts, _ends, _levels, _units);

    /// <summary>The index <see cref="ToArrays"/> gave, checked to be one (every name inside the names array, separated, with a valid level and unit).</summary>
    /// <param name="unitCounts">The number of units of each level, coarsest first.</param>
    /// <exception cref="InvalidDataException">The arrays are not an index; the message says why.</exception>
    internal static UnitSearchIndex FromArrays(char[] names, int[] starts, int[] ends, AdminLevel[] levels, int[] units, IReadOnlyList<int> unitCounts)
    {
        if (starts.Length != ends.Length || starts.Length != levels.Length || starts.Length != units.Length)
        {
            throw new InvalidDataException($"the search index has {starts.Length} starts, {ends.Length} ends, {levels.Length} levels and {units.Length} units");
        }

        for (var i = 0; i < starts.Length; i++)
        {
            var previousEnd = i == 0 ? -1 : ends[i - 1];
            if (starts[i] != previousEnd + 1 || ends[i] < starts[i] || ends[i] >= names.Length || names[ends[i]] != Separator
                || (uint)levels[i] >= (uint)unitCounts.Count || (uint)units[i] >= (uint)unitCounts[(int)levels[i]])
            {
                throw new InvalidDataException($"the search index's entry {i} is not a name of a unit");
            }
        }

        return new UnitSearchIndex(names, starts, ends, levels, units);
    }

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
        if (folded.Length == 1)
        {
            // One letter matches most names: a search per name beats restarting one search after every match.
            for (var entry = 0; entry < _starts.Length && counts[0] < limit; entry++)
            {
                var name = all[_starts[entry].._ends[entry]];
                var first = name.IndexOf(folded[0]);
                if (first >= 0)
                {
                    Collect(entry, Classify(name, folded, first), limit, buckets, counts);
                }
            }
        }
        else
        {
            for (int at = 0, entry = 0; counts[0] < limit;)
            {
                var next = all[at..].IndexOf(folded);
                if (next < 0)
                {
                    break;
                }

                // The name holding the match (names are scanned in order; the separators keep a match inside one name).
                while (_ends[entry] < at + next)
                {
                    entry++;
                }

                var start = _starts[entry];
                Collect(entry, Classify(all[start.._ends[entry]], folded, at + next - start), limit, buckets, counts);
                at = _ends[entry] + 1;
            }
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

    /// <summary>The folded form of a name or query (see the remarks): ASCII, lower case, single spaces, trimmed.</summary>
    public static string Fold(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var buffer = new char[(text.Length * 8) + 2];
        return new string(Fold(text, buffer));
    }

    /// <summary>Puts <paramref name="entry"/> in the bucket of <paramref name="match"/> unless that bucket is full.</summary>
    private static void Collect(int entry, SearchMatch match, int limit, Span<int> buckets, Span<int> counts)
    {
        var bucket = (int)match;
        if (counts[bucket] < limit)
        {
            buckets[(bucket * limit) + counts[bucket]++] = entry;
        }
    }

    private static SearchMatch Classify(ReadOnlySpan<char> name, ReadOnlySpan<char> query, int first)
    {
        if (first == 0)
        {
            return name.Length == query.Length ? SearchMatch.Exact : SearchMatch.Prefix;
        }

        // Any word after the first may start with the query, even when the first occurrence is inside a word (query
        // "an" in "SAN ANTONIO"): check each word start (names have a few words) rather than each occurrence.
        for (var space = name.IndexOf(' '); space >= 0; space = name[(space + 1)..].IndexOf(' ') is var next and >= 0 ? space + 1 + next : -1)
        {
            if (name[(space + 1)..].StartsWith(query))
            {
                return SearchMatch.WordPrefix;
            }
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
