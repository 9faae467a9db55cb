using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace TileServer.Core.Ingest;

/// <summary>One field of a dBASE table: name, type letter, width in bytes and byte offset within a record.</summary>
public sealed record DbfField(string Name, char Type, int Length, int Offset);

/// <summary>
/// A bounded, strict reader of a shapefile's dBASE (<c>.dbf</c>) attribute table: the 32-byte header (record count,
/// header length, record length), 32-byte field descriptors up to the 0x0D terminator, then fixed-width records, each
/// led by a deletion flag (<c>' '</c> or <c>'*'</c>).
/// </summary>
/// <remarks>
/// <para>Why not NetTopologySuite.IO.Esri.Shapefile's <c>DbfReader</c>: it decodes text with replacement characters
/// (invalid bytes silently become U+FFFD, issue 18: <c>ASUNCI\uFFFDN</c>), caps a numeric field's width at 19 and a
/// text field's at 254 while the record keeps the declared width (GDAL writes reals as N 24.15, so every later field
/// of the record is read shifted), and it never compares the record count with the file's length. Here:</para>
/// <list type="bullet">
/// <item>the header is checked before anything is allocated: the fields must fit the header, their widths must add
/// up to the record length, and the declared records must fit in the file;</item>
/// <item>text is decoded strictly in the table's encoding (the one rule the estimates CSV follows too): a byte
/// sequence that is not valid in it is an error naming the record and the field; text stops at the first NUL and loses
/// trailing blanks (GDAL's reading);</item>
/// <item>numbers (N, F) are invariant-culture doubles, blank is null, anything else (<c>***</c> overflow marks,
/// <c>NaN</c>, a comma) is an error naming the record, the field and the value; dates (D) are <c>yyyyMMdd</c> text;
/// logicals (L) are true, false or null; other types are read as text;</item>
/// <item>a deletion flag that is neither <c>' '</c> nor <c>'*'</c> means the records are misaligned: an error.</item>
/// </list>
/// <para>Thread safety: immutable after <see cref="Open"/>; <see cref="ReadRecord"/> may run on any thread.</para>
/// </remarks>
public sealed class DbfTable
{
    private const int TableHeaderLength = 32;
    private const int DescriptorLength = 32;
    private const byte HeaderTerminator = 0x0D;

    private readonly string _path;
    private readonly ReadOnlyMemory<byte> _bytes;
    private readonly Encoding _strict;
    private readonly string _encodingSource;
    private readonly int _headerLength;

    private DbfTable(string path, ReadOnlyMemory<byte> bytes, Encoding strict, string encodingSource, int headerLength, int recordLength, int recordCount, IReadOnlyList<DbfField> fields)
    {
        _path = path;
        _bytes = bytes;
        _strict = strict;
        _encodingSource = encodingSource;
        _headerLength = headerLength;
        RecordLength = recordLength;
        RecordCount = recordCount;
        Fields = fields;
    }

    /// <summary>Records declared in the header (deleted ones included).</summary>
    public int RecordCount { get; }

    /// <summary>Bytes per record, the deletion flag included.</summary>
    public int RecordLength { get; }

    public IReadOnlyList<DbfField> Fields { get; }

    /// <summary>Checks the header and field descriptors of <paramref name="bytes"/>.</summary>
    /// <param name="encodingSource">Where <paramref name="encoding"/> came from, for messages (the <c>.cpg</c>, or the default option).</param>
    /// <exception cref="DataFileException">Not a dBASE table, or a header inconsistent with itself or with the file's length.</exception>
    public static DbfTable Open(string path, ReadOnlyMemory<byte> bytes, Encoding encoding, string encodingSource)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(encoding);
        var span = bytes.Span;
        if (span.Length == 0)
        {
            throw new DataFileException(path, "file is empty");
        }

        if (span.Length < TableHeaderLength + 1)
        {
            throw new DataFileException(path, $"truncated: {span.Length} bytes, shorter than a dBASE header");
        }

        var recordCount = BinaryPrimitives.ReadUInt32LittleEndian(span[4..]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(span[8..]);
        int recordLength = BinaryPrimitives.ReadUInt16LittleEndian(span[10..]);
        if (headerLength < TableHeaderLength + 1 || headerLength > span.Length)
        {
            throw new DataFileException(path, $"the header declares a header length of {headerLength:N0} bytes in a {span.Length:N0}-byte file");
        }

        if (recordLength < 1)
        {
            throw new DataFileException(path, "the header declares records of 0 bytes");
        }

        var available = (span.Length - headerLength) / recordLength;
        if (recordCount > available)
        {
            throw new DataFileException(path, $"truncated: the header declares {recordCount:N0} records of {recordLength:N0} bytes but the file holds {available:N0}");
        }

        var strict = (Encoding)encoding.Clone();
        strict.DecoderFallback = DecoderFallback.ExceptionFallback;
        var fields = new List<DbfField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var offset = 1;
        for (var at = TableHeaderLength; at < headerLength && span[at] != HeaderTerminator; at += DescriptorLength)
        {
            var number = fields.Count + 1;
            if (at + DescriptorLength > headerLength)
            {
                throw new DataFileException(path, $"field descriptor {number} runs past the {headerLength:N0}-byte header (no 0x0D terminator)");
            }

            var descriptor = span.Slice(at, DescriptorLength);
            var nameBytes = descriptor[..11];
            var nul = nameBytes.IndexOf((byte)0);
            string name;
            try
            {
                name = strict.GetString(nul < 0 ? nameBytes : nameBytes[..nul]).Trim();
            }
            catch (DecoderFallbackException e)
            {
                throw new DataFileException(path, $"field descriptor {number}: the name has bytes that are not valid {encoding.WebName} ({encodingSource})", e);
            }

            if (name.Length == 0)
            {
                throw new DataFileException(path, $"field descriptor {number} has no name");
            }

            if (!names.Add(name))
            {
                throw new DataFileException(path, $"field '{DataFileException.Excerpt(name)}' appears twice");
            }

            var type = (char)descriptor[11];
            int length = descriptor[16];
            if (length == 0)
            {
                throw new DataFileException(path, $"field '{DataFileException.Excerpt(name)}' has width 0");
            }

            fields.Add(new DbfField(name, char.ToUpperInvariant(type), length, offset));
            offset += length;
        }

        if (offset != recordLength)
        {
            throw new DataFileException(path, $"the header declares records of {recordLength:N0} bytes but its {fields.Count} fields take {offset:N0} (with the deletion flag)");
        }

        return new DbfTable(path, bytes, strict, encodingSource, headerLength, recordLength, (int)recordCount, fields);
    }

    /// <summary>Reads record <paramref name="index"/> (0-based); its values by field name.</summary>
    /// <exception cref="DataFileException">A misaligned record, text not valid in the encoding, or a malformed number, date or logical.</exception>
    public IReadOnlyDictionary<string, object?> ReadRecord(int index, out bool deleted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, RecordCount);
        var record = _bytes.Span.Slice(_headerLength + (index * RecordLength), RecordLength);
        var number = index + 1;
        deleted = record[0] switch
        {
            (byte)' ' => false,
            (byte)'*' => true,
            var flag => throw new DataFileException(_path, $"record {number}: starts with byte 0x{flag:X2} where the deletion flag (' ' or '*') belongs: the records are misaligned or the file is damaged"),
        };

        var values = new Dictionary<string, object?>(Fields.Count, StringComparer.Ordinal);
        foreach (var field in Fields)
        {
            values[field.Name] = ReadValue(record.Slice(field.Offset, field.Length), field, number);
        }

        return values;
    }

    private object? ReadValue(ReadOnlySpan<byte> raw, DbfField field, int number)
    {
        switch (field.Type)
        {
            case 'N' or 'F':
                {
                    var text = Encoding.Latin1.GetString(raw).Trim(' ', '\0');
                    if (text.Length == 0)
                    {
                        return null;
                    }

                    return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                        ? value
                        : throw new DataFileException(_path, $"record {number}, field {field.Name}: '{DataFileException.Excerpt(text)}' is not a number");
                }

            case 'L':
                return (char)raw[0] switch
                {
                    'T' or 't' or 'Y' or 'y' => true,
                    'F' or 'f' or 'N' or 'n' => false,
                    '?' or ' ' or '\0' => null,
                    var c => throw new DataFileException(_path, $"record {number}, field {field.Name}: '{DataFileException.Excerpt(c.ToString())}' is not a logical value (T, F, Y, N or ?)"),
                };

            case 'D':
                {
                    var text = Encoding.Latin1.GetString(raw).Trim(' ', '\0');
                    if (text.Length == 0 || text == "00000000")
                    {
                        return null;
                    }

                    return DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _)
                        ? text
                        : throw new DataFileException(_path, $"record {number}, field {field.Name}: '{DataFileException.Excerpt(text)}' is not a yyyyMMdd date");
                }

            default:
                {
                    var nul = raw.IndexOf((byte)0);
                    var text = nul < 0 ? raw : raw[..nul];
                    try
                    {
                        return _strict.GetString(text).TrimEnd(' ');
                    }
                    catch (DecoderFallbackException e)
                    {
                        throw new DataFileException(_path, $"record {number}, field {field.Name}: bytes that are not valid {_strict.WebName} ({_encodingSource}); give the .cpg the file's encoding (e.g. ISO-8859-1)", e);
                    }
                }
        }
    }
}
