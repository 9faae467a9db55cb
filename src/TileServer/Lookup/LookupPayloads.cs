using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TileServer.Core.Dataset;
using TileServer.Core.Index;

namespace TileServer.Lookup;

/// <summary>
/// Per district of a snapshot, the UTF-8 bytes of everything in a lookup answer that does not depend on the point:
/// the JSON object up to <c>"match"</c>, and the CSV columns appended to a row. Built with the served dataset, before
/// it is published (<see cref="Dataset.ServedDataset"/>), so that an answer is two copies and no serialization.
/// </summary>
/// <remarks>Thread safety: immutable after construction.</remarks>
internal sealed class LookupPayloads
{
    public LookupPayloads(DatasetSnapshot snapshot)
    {
        var districts = snapshot.Districts;
        var columns = districts.Columns;
        Json = new byte[districts.Units.Count][];
        Csv = new byte[districts.Units.Count][];
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < districts.Units.Count; i++)
        {
            var unit = districts.Units[i];
            var province = unit.ProvinceCode is null ? null : snapshot.Provinces.Find(unit.ProvinceCode);
            var department = unit.DepartmentCode is null ? null : snapshot.Departments.Find(unit.DepartmentCode);
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("code", unit.Code);
                writer.WriteString("name", unit.Name);
                WriteRef(writer, "province", unit.ProvinceCode, province?.Name);
                WriteRef(writer, "department", unit.DepartmentCode, department?.Name);
                writer.WriteStartObject("estimates");
                for (var c = 0; c < columns.Count; c++)
                {
                    switch (unit.Values[c])
                    {
                        case double number:
                            writer.WriteNumber(columns[c].Name, number);
                            break;
                        case string text:
                            writer.WriteString(columns[c].Name, text);
                            break;
                        default:
                            writer.WriteNull(columns[c].Name);
                            break;
                    }
                }

                writer.WriteEndObject();
            }

            Json[i] = [.. buffer.WrittenSpan, .. ",\"match\":\""u8];
            var csv = new StringBuilder();
            foreach (var field in new[] { unit.Code, unit.Name, unit.ProvinceCode, province?.Name, unit.DepartmentCode, department?.Name })
            {
                csv.Append(',').Append(CsvField(field));
            }

            for (var c = 0; c < columns.Count; c++)
            {
                csv.Append(',').Append(CsvField(unit.Values[c] switch
                {
                    double number => number.ToString("R", CultureInfo.InvariantCulture),
                    string text => text,
                    _ => null,
                }));
            }

            Csv[i] = Encoding.UTF8.GetBytes(csv.ToString());
        }

        var header = new StringBuilder(",district_code,district_name,province_code,province_name,department_code,department_name");
        foreach (var column in columns)
        {
            header.Append(',').Append(CsvField(column.Name));
        }

        CsvHeader = Encoding.UTF8.GetBytes(header.Append(",match,distance_meters,error").ToString());
        CsvEmpty = Encoding.UTF8.GetBytes(new string(',', 6 + columns.Count));
    }

    /// <summary><c>{"code":..,"name":..,"province":{..},"department":{..},"estimates":{..},"match":"</c></summary>
    public byte[][] Json { get; }

    /// <summary>The district columns appended to a CSV row, each preceded by a comma.</summary>
    public byte[][] Csv { get; }

    /// <summary>Names of the appended CSV columns, each preceded by a comma.</summary>
    public byte[] CsvHeader { get; }

    /// <summary>The district columns of a row without a district (empty fields).</summary>
    public byte[] CsvEmpty { get; }

    /// <summary>Writes the answer for a found match: the district's prefix, then match and distance.</summary>
    public void WriteJson(IBufferWriter<byte> output, DistrictMatch match)
    {
        var prefix = Json[match.District];
        var span = output.GetSpan(prefix.Length + 64);
        prefix.CopyTo(span);
        var written = prefix.Length + WriteMatchTail(span[prefix.Length..], match);
        output.Advance(written);
    }

    /// <summary><c>inside","distanceMeters":0}</c> and the like.</summary>
    public static int WriteMatchTail(Span<byte> span, DistrictMatch match)
    {
        ReadOnlySpan<byte> name = match.Match switch
        {
            LookupMatch.Inside => "inside\",\"distanceMeters\":"u8,
            LookupMatch.Boundary => "boundary\",\"distanceMeters\":"u8,
            _ => "nearest\",\"distanceMeters\":"u8,
        };
        name.CopyTo(span);
        var written = name.Length;
        Math.Round(match.DistanceMetres, 2).TryFormat(span[written..], out var number, default, CultureInfo.InvariantCulture);
        written += number;
        span[written++] = (byte)'}';
        return written;
    }

    public static string MatchName(LookupMatch match) => match switch
    {
        LookupMatch.Inside => "inside",
        LookupMatch.Boundary => "boundary",
        LookupMatch.Nearest => "nearest",
        _ => "none",
    };

    private static void WriteRef(Utf8JsonWriter writer, string name, string? code, string? unitName)
    {
        if (code is null)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartObject(name);
        writer.WriteString("code", code);
        writer.WriteString("name", unitName ?? code);
        writer.WriteEndObject();
    }

    /// <summary>RFC 4180: quoted when it holds a comma, quote or line break.</summary>
    public static string CsvField(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
