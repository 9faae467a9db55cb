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
}

/// <summary>
/// Reads an estimates CSV (header row, RFC 4180 quoting; parsed with the Sep library, separator detected from the
/// header) into an <see cref="EstimatesTable"/>. A column is numeric when every non-empty value parses as an
/// invariant-culture number; an empty cell is missing (null), never zero.
/// </summary>
/// <remarks>
/// Errors name the file and the line: an empty file, a missing key column, bytes that are not valid in the declared
/// encoding, a row with the wrong number of cells, an empty key, a duplicate key (both lines).
/// Thread safety: stateless.
/// </remarks>
public static class EstimatesCsvReader
{
    public static EstimatesTable Read(string path, EstimatesReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new EstimatesReadOptions();
        var text = Decode(path, options.Encoding);
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DataFileException(path, "file is empty: expected a header row and one row per district");
        }

        string[] header;
        var cells = new List<(int Line, string[] Values)>();
        try
        {
            using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.Outer }).FromText(text);
            header = [.. reader.Header.ColNames];
            foreach (var row in reader)
            {
                var values = new string[row.ColCount];
                for (var c = 0; c < values.Length; c++)
                {
                    values[c] = row[c].ToString();
                }

                if (values.Length == 1 && values[0].Length == 0)
                {
                    continue;
                }

                cells.Add((row.LineNumberFrom, values));
            }
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or FormatException)
        {
            throw new DataFileException(path, e.Message, e);
        }

        var keyIndex = Array.FindIndex(header, h => string.Equals(h, options.KeyColumn, StringComparison.OrdinalIgnoreCase));
        if (keyIndex < 0)
        {
            throw new DataFileException(path, $"key column '{options.KeyColumn}' not found; the header has: {string.Join(", ", header)}");
        }

        var columnIndexes = Enumerable.Range(0, header.Length).Where(i => i != keyIndex).ToArray();
        var kinds = columnIndexes.Select(i => cells.All(r => r.Values[i].Length == 0 || TryNumber(r.Values[i], out _)) ? ColumnKind.Number : ColumnKind.Text).ToArray();
        var missing = new int[columnIndexes.Length];

        var rows = new List<EstimateRow>(cells.Count);
        var byKey = new Dictionary<string, EstimateRow>(StringComparer.Ordinal);
        foreach (var (line, values) in cells)
        {
            var key = DistrictCode.Normalize(values[keyIndex], options.KeyWidth)
                ?? throw new DataFileException(path, $"line {line}: empty key in column '{header[keyIndex]}'");
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
                throw new DataFileException(path, $"duplicate key '{key}' on lines {byKey[key].LineNumber} and {line}");
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

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    private static string Decode(string path, string encodingName)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException(path, $"cannot read ({e.Message})", e);
        }

        var declared = AttributeEncoding.TryResolve(encodingName)
            ?? throw new DataFileException(path, $"unknown estimates encoding '{encodingName}'");
        var strict = (Encoding)declared.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        ReadOnlySpan<byte> content = bytes;
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
