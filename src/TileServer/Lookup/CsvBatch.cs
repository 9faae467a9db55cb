using System.Globalization;
using System.Text;

namespace TileServer.Lookup;

/// <summary>
/// A CSV batch (RFC 4180, comma-separated, UTF-8, header row): the columns <c>lat</c> and <c>lon</c> (any case)
/// plus any others, which are kept. Records are read line by line as the body arrives (a quoted field may span
/// lines) and kept verbatim, so that the answer is each input record with the district columns appended.
/// </summary>
internal sealed class CsvBatch
{
    private CsvBatch(string header, List<string> records, BatchPoints points)
    {
        Header = header;
        Records = records;
        Points = points;
    }

    public string Header { get; }

    /// <summary>The input records, verbatim, without their line ends.</summary>
    public List<string> Records { get; }

    public BatchPoints Points { get; }

    /// <exception cref="BatchFormatException">No header, or no <c>lat</c> / <c>lon</c> column.</exception>
    /// <exception cref="BatchTooLargeException">More records than <paramref name="maxPoints"/>.</exception>
    public static async Task<CsvBatch> ReadAsync(Stream body, int maxPoints, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, new UTF8Encoding(false, false), detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024);
        var header = await ReadRecordAsync(reader, cancellationToken) ?? throw new BatchFormatException("the CSV body is empty; it needs a header row with lat and lon columns");
        var names = Split(header);
        var lat = names.FindIndex(n => n.Trim().Equals("lat", StringComparison.OrdinalIgnoreCase));
        var lon = names.FindIndex(n => n.Trim().Equals("lon", StringComparison.OrdinalIgnoreCase));
        if (lat < 0 || lon < 0)
        {
            throw new BatchFormatException($"the CSV header has no '{(lat < 0 ? "lat" : "lon")}' column (header: {header})");
        }

        var records = new List<string>();
        var points = new BatchPoints();
        while (await ReadRecordAsync(reader, cancellationToken) is { } record)
        {
            if (record.Length == 0)
            {
                continue;
            }

            if (records.Count >= maxPoints)
            {
                throw new BatchTooLargeException(maxPoints);
            }

            records.Add(record);
            var fields = Split(record);
            var latValue = Parse(fields, lat, "lat", out var latError);
            var lonValue = Parse(fields, lon, "lon", out var lonError);
            points.Add(lonValue, latValue, null, latError ?? lonError);
        }

        return new CsvBatch(header, records, points);
    }

    private static double Parse(List<string> fields, int index, string name, out string? error)
    {
        error = null;
        if (index >= fields.Count || string.IsNullOrWhiteSpace(fields[index]))
        {
            error = $"{name} is missing";
            return double.NaN;
        }

        if (!double.TryParse(fields[index].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            error = $"{name} is not a number: '{fields[index]}'";
            return double.NaN;
        }

        return value;
    }

    /// <summary>One record: a line, continued over line breaks inside quotes. Null at the end.</summary>
    private static async Task<string?> ReadRecordAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var line = await reader.ReadLineAsync(cancellationToken);
        if (line is null || CountQuotes(line) % 2 == 0)
        {
            return line;
        }

        var record = new StringBuilder(line);
        var quotes = CountQuotes(line);
        while (quotes % 2 == 1 && await reader.ReadLineAsync(cancellationToken) is { } next)
        {
            record.Append('\n').Append(next);
            quotes += CountQuotes(next);
        }

        return record.ToString();
    }

    private static int CountQuotes(string text) => text.AsSpan().Count('"');

    /// <summary>Fields of a record, quotes removed and doubled quotes undone.</summary>
    private static List<string> Split(string record)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < record.Length; i++)
        {
            var c = record[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < record.Length && record[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
