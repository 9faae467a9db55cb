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
    [Fact]
    public void Columns_are_numeric_only_when_more_than_half_of_their_cells_are_numbers()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,tie,few\n010101,1,UNO\n010102,DOS,2\n010103,,TRES\n010104,,CUATRO\n");

        var table = EstimatesCsvReader.Read(path);

        Assert.Equal(ColumnKind.Text, table.Columns[table.IndexOf("tie")].Kind);
        Assert.Equal(ColumnKind.Text, table.Columns[table.IndexOf("few")].Kind);
        Assert.Equal("1", table.ByKey["010101"].Values[0]);
        Assert.Equal("2", table.ByKey["010102"].Values[1]);
    }

    [Fact]
    public void A_numeric_column_with_other_cells_is_an_error_counting_them()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,x\n010101,1\n010102,2\n010103,3\n010104,a\n010105,b\n");

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Contains("line 5: column 'x' holds numbers (3 cells) but this cell is 'a' (2 such cells)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_not_part_of_the_first_column_name()
    {
        using var temp = new TempFolder();
        var path = temp.File("bom.csv");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("ubigeo,x\n010101,1\n")]);

        var table = EstimatesCsvReader.Read(path);

        Assert.Equal("ubigeo", table.KeyColumn);
        Assert.Equal(1.0, table.ByKey["010101"].Values[0]);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_rows_keep_their_line_numbers()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,x\n010101,1\n\n010102,2\n");

        var table = EstimatesCsvReader.Read(path);

        Assert.Equal(["010101", "010102"], table.Rows.Select(r => r.Key));
        Assert.Equal(4, table.ByKey["010102"].LineNumber);
    }

    [Fact]
    public void A_file_of_the_key_column_alone_keeps_every_row()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo\n010101\n010102\n");

        var table = EstimatesCsvReader.Read(path);

        Assert.Empty(table.Columns);
        Assert.Equal(["010101", "010102"], table.Rows.Select(r => r.Key));
    }

    [Fact]
    public void A_row_whose_first_cell_is_empty_is_a_row_with_that_value_missing()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "x,ubigeo\n,010101\n2,010102\n");

        var table = EstimatesCsvReader.Read(path);

        Assert.Equal(["010101", "010102"], table.Rows.Select(r => r.Key));
        Assert.Null(table.ByKey["010101"].Values[0]);
        Assert.Equal(1, table.Columns[0].MissingCount);
    }

    [Theory]
    [InlineData("ubigeo,\"x\n010101,1\n010102,2\n")]
    [InlineData("ubigeo,\"\n010101,1\n010102,2\n")]
    public void A_header_name_running_into_the_next_lines_is_an_unclosed_quote_on_line_1(string content)
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, content);

        var e = Assert.Throws<DataFileException>(() => EstimatesCsvReader.Read(path));

        Assert.Contains("line 1: the header has an unclosed quote", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cancelled_read_stops_with_a_cancellation_naming_the_file_and_line()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        var e = Assert.Throws<OperationCanceledException>(() =>
            EstimatesCsvReader.Read("estimates.csv", "ubigeo,x\n010101,1\n"u8, cancellationToken: cancelled.Token));

        Assert.Equal("at estimates.csv, line 2", e.Message);
    }

    [Fact]
    public void Null_paths_are_rejected_by_name()
    {
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => EstimatesCsvReader.Read(null!)).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentNullException>(() => EstimatesCsvReader.Read(null!, "ubigeo\n010101\n"u8)).ParamName);
    }

    [Fact]
    public void IndexOf_finds_a_column_case_insensitively_and_answers_minus_one_for_an_absent_one()
    {
        using var temp = new TempFolder();
        var table = EstimatesCsvReader.Read(SmallLayers.WriteCsv(temp.Path, "ubigeo,a,Bb,c\n010101,1,2,3\n"));

        Assert.Equal(0, table.IndexOf("A"));
        Assert.Equal(1, table.IndexOf("bB"));
        Assert.Equal(2, table.IndexOf("c"));
        Assert.Equal(-1, table.IndexOf("ubigeo"));
        Assert.Equal(-1, table.IndexOf("d"));
    }
    [Fact]
    public void Quoted_cells_are_unescaped_as_RFC_4180_says()
    {
        using var temp = new TempFolder();
        var path = SmallLayers.WriteCsv(temp.Path, "ubigeo,distrito\n\"010101\",\"SAN JUAN, LA\"\n010102,\"EL \"\"ALTO\"\"\"\n");

        var table = EstimatesCsvReader.Read(path);

        Assert.Equal("SAN JUAN, LA", table.ByKey["010101"].Values[0]);
        Assert.Equal("EL \"ALTO\"", table.ByKey["010102"].Values[0]);
    }
}
