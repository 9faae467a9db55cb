using System.Text;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Join;

public class EstimatesCsvReaderTests
{
    [Fact]
    public void Types_columns_keeps_nulls_and_pads_numeric_keys()
    {
        using var temp = new TempFolder();
        var table = EstimatesCsvReader.Read(SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv));

        Assert.Equal(["departamento", "provincia", "distrito", "poblacion", "pobreza_pct"], table.Columns.Select(c => c.Name));
        Assert.Equal(ColumnKind.Text, table.Columns[0].Kind);
        Assert.Equal(ColumnKind.Number, table.Columns[3].Kind);
        Assert.Equal(1, table.Columns[3].MissingCount);
        Assert.Null(table.ByKey["010201"].Values[3]);
        Assert.Equal(3000.0, table.ByKey["010102"].Values[3]);
        Assert.True(table.ByKey.ContainsKey("020101"), "20101 is 020101 with its leading zero restored");
        Assert.Equal(5, table.ByKey["020101"].LineNumber);
    }

    [Fact]
    public void Duplicate_key_is_an_error_naming_both_lines()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,x\n010101,1\n010102,2\n10101,3\n");

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Contains("duplicate key '010101' on lines 2 and 4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_key_column_is_an_error_listing_the_header()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "code,x\n010101,1\n");

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path, new EstimatesReadOptions { KeyColumn = "ubigeo" }));

        Assert.Contains("key column 'ubigeo' not found", e.Message, StringComparison.Ordinal);
        Assert.Contains("code, x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_utf8_bytes_are_an_error_naming_the_line()
    {
        using var temp = new TempFolder();
        var path = temp.File("latin1.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("ubigeo,distrito\n010101,UNO\n010102,ASUNCIÓN\n"));

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("utf-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Latin1_file_reads_when_its_encoding_is_configured()
    {
        using var temp = new TempFolder();
        var path = temp.File("latin1.csv");
        File.WriteAllBytes(path, Encoding.Latin1.GetBytes("ubigeo,distrito\n010102,ASUNCIÓN\n"));

        var table = EstimatesCsvReader.Read(path, new EstimatesReadOptions { Encoding = "ISO-8859-1" });

        Assert.Equal("ASUNCIÓN", table.ByKey["010102"].Values[0]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n")]
    public void Empty_file_is_an_error(string content)
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, content);

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Row_with_too_many_cells_is_an_error()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,x\n010101,1\n010102,2,3\n");

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Equal(path, e.FilePath);
    }

    [Theory]
    [InlineData("10101", "010101")]
    [InlineData("010101", "010101")]
    [InlineData("10101.0", "010101")]
    [InlineData(" 150101 ", "150101")]
    [InlineData("NA", "NA")]
    [InlineData("", null)]
    public void Codes_are_text_with_leading_zeros(string raw, string? expected) =>
        Assert.Equal(expected, DistrictCode.Normalize(raw, 6));

    [Fact]
    public void Numeric_dbf_codes_are_padded() => Assert.Equal("010101", DistrictCode.Normalize(10101.0, 6));
}
