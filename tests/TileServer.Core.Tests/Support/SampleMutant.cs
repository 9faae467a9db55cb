using System.Buffers.Binary;
using System.Text;
using TileServer.Core.Dataset;

namespace TileServer.Core.Tests.Support;

/// <summary>
/// A scratch copy of the embedded sample (<c>geodata/sample</c>: districts.shp/.shx/.dbf/.prj/.cpg and estimates.csv)
/// for tests that break one file the way a real file breaks. Offsets into the files are found here from the formats'
/// specifications (the .shx index, the .dbf header), independently of the readers under test.
/// </summary>
public sealed class SampleMutant : IDisposable
{
    private readonly TempFolder _folder = new();

    public SampleMutant()
    {
        foreach (var file in Directory.GetFiles(SampleFolder))
        {
            File.Copy(file, _folder.File(Path.GetFileName(file)));
        }
    }

    /// <summary>The repository's <c>geodata/sample</c>.</summary>
    public static string SampleFolder { get; } = FindSample();

    public string Folder => _folder.Path;

    public string Shp => Part(".shp");

    public string Csv => _folder.File("estimates.csv");

    /// <summary>The path of the sample's file with <paramref name="extension"/> (".shx", ".dbf", ...).</summary>
    public string Part(string extension) => _folder.File("districts" + extension);

    /// <summary>Options that load this copy as the server would, without tiles.</summary>
    public DatasetOptions Options(Action<DatasetOptions>? configure = null)
    {
        var options = new DatasetOptions { Districts = Shp, Estimates = Csv };
        configure?.Invoke(options);
        return options;
    }

    public byte[] Bytes(string extension) => File.ReadAllBytes(Part(extension));

    public void Write(string extension, byte[] bytes) => File.WriteAllBytes(Part(extension), bytes);

    public void Patch(string extension, Action<byte[]> patch)
    {
        var bytes = Bytes(extension);
        patch(bytes);
        Write(extension, bytes);
    }

    public void Delete(string extension) => File.Delete(Part(extension));

    /// <summary>Records in the .shp, from the .shx's length.</summary>
    public int RecordCount => (Bytes(".shx").Length - 100) / 8;

    /// <summary>Byte offset of record <paramref name="record"/>'s content (after its 8-byte header) in the .shp, from the .shx.</summary>
    public int ShpContent(int record) => (BinaryPrimitives.ReadInt32BigEndian(Bytes(".shx").AsSpan(100 + (8 * (record - 1)))) * 2) + 8;

    /// <summary>Byte offset of record <paramref name="record"/> (its deletion flag) in the .dbf.</summary>
    public int DbfRecord(int record)
    {
        var dbf = Bytes(".dbf");
        return BinaryPrimitives.ReadUInt16LittleEndian(dbf.AsSpan(8)) + ((record - 1) * BinaryPrimitives.ReadUInt16LittleEndian(dbf.AsSpan(10)));
    }

    /// <summary>Byte offset of <paramref name="field"/> in record <paramref name="record"/> of the .dbf.</summary>
    public int DbfField(int record, string field)
    {
        var dbf = Bytes(".dbf");
        var offset = 1;
        for (var at = 32; dbf[at] != 0x0D; at += 32)
        {
            var name = Encoding.ASCII.GetString(dbf, at, 11).TrimEnd('\0');
            if (name == field)
            {
                return DbfRecord(record) + offset;
            }

            offset += dbf[at + 16];
        }

        throw new ArgumentException($"no field {field}", nameof(field));
    }

    /// <summary>Rewrites the CSV line by line (line 1 is the header).</summary>
    public void EditCsv(Func<int, string, string> edit)
    {
        var lines = File.ReadAllLines(Csv);
        File.WriteAllLines(Csv, lines.Select((line, i) => edit(i + 1, line)), new UTF8Encoding(false));
    }

    /// <summary>Sets column <paramref name="column"/> of CSV line <paramref name="line"/> to <paramref name="value"/> (no quoting is added).</summary>
    public void SetCsvCell(int line, string column, string value)
    {
        var header = File.ReadLines(Csv).First().Split(',');
        var index = Array.IndexOf(header, column);
        EditCsv((n, text) =>
        {
            if (n != line)
            {
                return text;
            }

            var cells = text.Split(',');
            cells[index] = value;
            return string.Join(',', cells);
        });
    }

    public void Dispose() => _folder.Dispose();

    private static string FindSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                return Path.Combine(dir.FullName, "geodata", "sample");
            }
        }

        throw new InvalidOperationException("geodata/sample not found above " + AppContext.BaseDirectory);
    }
}
