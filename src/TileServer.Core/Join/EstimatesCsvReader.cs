using System.Globalization;
using System.Text;
using nietras.SeparatedValues;
using TileServer.Core.Ingest;
using TileServer.Core.Model;

namespace TileServer.Core.Join;

/// <summary>How to read an estimates CSV.</summary>
public sealed record EstimatesReadOptions
{
    /// <summary>The key column (case-insensitive).</summary>
    public string KeyColumn { get; init; } = "ubigeo";

    /// <summary>Width numeric-looking keys are left-padded to (see <see cref="DistrictCode"/>).</summary>
    public int KeyWidth { get; init; } = 6;

    /// <summary>The file's text encoding; UTF-8 (with or without BOM) by default. Bytes that are not valid in it are an error.</summary>
    public string Encoding { get; init; } = "utf-8";

    /// <summary>
    /// Columns configured as numeric (population, counts, the rates of derived counts; case-insensitive): each must
    /// hold only numbers and empty cells, or the read fails naming the first cell that is not a number.
    /// </summary>
    public IReadOnlyCollection<string> NumericColumns { get; init; } = [];

    /// <summary>Largest file accepted (<c>Dataset:MaxFileBytes</c>).</summary>
    public long MaxFileBytes { get; init; } = LoadLimits.DefaultMaxFileBytes;
}

/// <summary>
/// Reads an estimates CSV (header row, RFC 4180 quoting; parsed with the Sep library, separator detected from the
/// header) into an <see cref="EstimatesTable"/>. An empty cell is missing (null), never zero.
/// </summary>
/// <remarks>
/// <para>Typing: a column is numeric when more than half of its non-empty cells are invariant-culture finite numbers;
/// then every other non-empty cell (<c>NaN</c>, <c>Infinity</c>, <c>1e999</c>, <c>"16,852"</c>, <c>0x10</c>) is an
/// error naming its line and value, never a silent switch of the whole column to text (one <c>NaN</c> in Peru's
/// <c>poblacion</c> took every population weight away). A column in
/// <see cref="EstimatesReadOptions.NumericColumns"/> must be numeric whatever its majority. Any other column is text.</para>
/// <para>Errors name the file and the line: an empty file, a header with an unclosed quote, a missing key column,
/// bytes that are not valid in the declared encoding, a row with the wrong number of cells, an empty key, a duplicate
/// key (both lines). Values quoted in messages are shortened (<see cref="DataFileException.Excerpt"/>).</para>
/// <para>Thread safety: stateless.</para>
/// </remarks>
public static class EstimatesCsvReader
{
    /// <exception cref="DataFileException">The file is missing, unreadable or not a usable estimates table.</exception>
    public static EstimatesTable Read(string path, EstimatesReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new EstimatesReadOptions();
        return Read(path, DataFile.ReadAllBytes(path, options.MaxFileBytes), options, cancellationToken);
    }

    /// <summary>Reads a CSV already in memory; <paramref name="path"/> names it in messages.</summary>
    /// <exception cref="DataFileException">Not a usable estimates table.</exception>
    public static EstimatesTable Read(string path, ReadOnlySpan<byte> bytes, EstimatesReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new EstimatesReadOptions();
        var text = Decode(path, bytes, options.Encoding);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DataFileException(path, "file is empty: expected a header row and one row per district");
        }

        string[] header = [];
        var cells = new List<(int Line, string[] Values)>();
        try
        {
            using (var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.Outer, DisableColCountCheck = true }).FromText(text))
            {
                header = [.. reader.Header.ColNames];
                if (header.Any(h => h.AsSpan().IndexOfAny('\r', '\n') >= 0))
                {
                    throw new DataFileException(path, "line 1: the header has an unclosed quote (a quoted name runs into the next lines)");
                }

                foreach (var row in reader)
                {
                    LoadCancellation.ThrowIfCancelled(cancellationToken, path, $"line {row.LineNumberFrom}");
                    if (row.ColCount == 1 && row[0].Span.Length == 0)
                    {
                        continue;
                    }

                    if (row.ColCount != header.Length)
                    {
                        throw new DataFileException(path, $"line {row.LineNumberFrom}: {row.ColCount} cells, but the header has {header.Length}{(row.LineNumberToExcl - row.LineNumberFrom > 1 ? $" (the row runs to line {row.LineNumberToExcl - 1}: an unclosed quote?)" : string.Empty)}");
                    }

                    var values = new string[row.ColCount];
                    for (var c = 0; c < values.Length; c++)
                    {
                        values[c] = row[c].ToString();
                    }

                    cells.Add((row.LineNumberFrom, values));
                }
            }
        }
        catch (Exception e) when (e is not (DataFileException or OperationCanceledException or OutOfMemoryException))
        {
            // Sep is a third-party parser of untrusted text: whatever it rejects is this file's fault, in one line.
            throw new DataFileException(path, $"not a readable CSV ({e.Message})", e);
        }

        var keyIndex = Array.FindIndex(header, h => string.Equals(h, options.KeyColumn, StringComparison.OrdinalIgnoreCase));
        if (keyIndex < 0)
        {
            throw new DataFileException(path, $"key column '{options.KeyColumn}' not found; the header has: {string.Join(", ", header.Take(20).Select(h => DataFileException.Excerpt(h)))}{(header.Length > 20 ? $", ... ({header.Length} columns)" : string.Empty)}");
        }

        var columnIndexes = Enumerable.Range(0, header.Length).Where(i => i != keyIndex).ToArray();
        var numeric = options.NumericColumns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var kinds = columnIndexes.Select(i => KindOf(path, header[i], i, cells, numeric.Contains(header[i]))).ToArray();
        var missing = new int[columnIndexes.Length];

        var rows = new List<EstimateRow>(cells.Count);
        var byKey = new Dictionary<string, EstimateRow>(StringComparer.Ordinal);
        foreach (var (line, values) in cells)
        {
            var key = DistrictCode.Normalize(values[keyIndex], options.KeyWidth)
                ?? throw new DataFileException(path, $"line {line}: empty key in column '{DataFileException.Excerpt(header[keyIndex])}'");
            var typed = new object?[columnIndexes.Length];
            for (var c = 0; c < columnIndexes.Length; c++)
            {
                var raw = values[columnIndexes[c]];
                if (raw.Length == 0)
                {
                    missing[c]++;
                }
                else if (kinds[c] == ColumnKind.Number)
                {
                    TryNumber(raw, out var number);
                    typed[c] = number;
                }
                else
                {
                    typed[c] = raw;
                }
            }

            var row = new EstimateRow(key, line, typed);
            if (!byKey.TryAdd(key, row))
            {
                throw new DataFileException(path, $"duplicate key '{DataFileException.Excerpt(key)}' on lines {byKey[key].LineNumber} and {line}");
            }

            rows.Add(row);
        }

        return new EstimatesTable
        {
            FilePath = path,
            KeyColumn = header[keyIndex],
            Columns = [.. columnIndexes.Select((i, c) => new EstimateColumn(header[i], kinds[c], missing[c]))],
            Rows = rows,
            ByKey = byKey,
        };
    }

    /// <summary>Number when more than half of the non-empty cells are numbers (or the column is configured numeric); then every non-empty cell must be one.</summary>
    private static ColumnKind KindOf(string path, string name, int column, List<(int Line, string[] Values)> cells, bool configuredNumeric)
    {
        var numbers = 0;
        var others = 0;
        (int Line, string Value)? firstOther = null;
        foreach (var (line, values) in cells)
        {
            var raw = values[column];
            if (raw.Length == 0)
            {
                continue;
            }

            if (TryNumber(raw, out _))
            {
                numbers++;
            }
            else
            {
                others++;
                firstOther ??= (line, raw);
            }
        }

        if (firstOther is not { } odd)
        {
            return ColumnKind.Number;
        }

        if (configuredNumeric)
        {
            throw new DataFileException(path, $"line {odd.Line}: column '{DataFileException.Excerpt(name)}' is configured as numeric (Dataset:PopulationColumn, ExtensiveColumns or DerivedCounts) but holds '{DataFileException.Excerpt(odd.Value)}'{Advice}");
        }

        if (numbers > others)
        {
            throw new DataFileException(path, $"line {odd.Line}: column '{DataFileException.Excerpt(name)}' holds numbers ({numbers:N0} cells) but this cell is '{DataFileException.Excerpt(odd.Value)}'{(others > 1 ? $" ({others:N0} such cells)" : string.Empty)}{Advice}");
        }

        return ColumnKind.Text;
    }

    private const string Advice = "; write a plain number (a point for decimals, no thousands separator) or leave the cell empty for a missing value";

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Decode(string path, ReadOnlySpan<byte> content, string encodingName)
    {
        var declared = AttributeEncoding.TryResolve(encodingName)
            ?? throw new DataFileException(path, $"unknown estimates encoding '{encodingName}'");
        var strict = (Encoding)declared.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        if (strict.CodePage == Encoding.UTF8.CodePage && content.StartsWith(Encoding.UTF8.Preamble))
        {
            content = content[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            return strict.GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            var offset = Math.Max(0, e.Index);
            var line = 1 + content[..Math.Min(offset, content.Length)].Count((byte)'\n');
            throw new DataFileException(path, $"line {line}: bytes that are not valid {declared.WebName}; save the file as {declared.WebName} or set the estimates encoding (e.g. ISO-8859-1)", e);
        }
    }
}
