using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using TileServer.Core.Lookup;

namespace TileServer.Core.Tests.Lookup;

/// <summary>
/// The lookup batch parsers on bodies written here, read whole and in segments as small as a byte (as Kestrel hands a
/// slow client's body over): the rows are the ones written in the body, and errors are one line (the fuzzing
/// findings of issue 17, target <c>batch-json</c> and <c>batch-csv</c>).
/// </summary>
public class BatchParserTests
{
    public static TheoryData<int> Segments => [1, 2, 3, 7, 4096];

    [Theory]
    [MemberData(nameof(Segments))]
    public async Task A_json_batch_gives_its_rows_whatever_the_segments(int segment)
    {
        const string body = """{"meta":{"skip":[1,{"x":"]"}]},"points":[[-74.5,-10.25],{"id":"a\u00f1","lat":-9.5,"lon":-73},{"id":12,"lon":-74},[-74,"x"]]}""";

        var points = await BatchJsonParser.ReadAsync(Reader(Encoding.UTF8.GetBytes(body), segment), 10, CancellationToken.None);

        Assert.Equal([-74.5, -73, -74, -74], points.Lons);
        Assert.Equal(-10.25, points.Lats[0]);
        Assert.Equal(-9.5, points.Lats[1]);
        Assert.Equal("añ", JsonSerializer.Deserialize<string>(points.Ids[1]!));
        Assert.Equal("12", Encoding.UTF8.GetString(points.Ids[2]!));
        Assert.Equal([null, null, "the point has no \"lat\"", "lat must be a number"], points.Errors);
    }

    [Theory]
    [MemberData(nameof(Segments))]
    public async Task A_csv_batch_gives_its_records_whatever_the_segments(int segment)
    {
        const string body = "name,LAT,lon\r\n\"two\nlines, \"\"quoted\"\"\",-10,-74\r\nb,-9.5,x\n";

        var batch = await CsvBatch.ReadAsync(Reader(Encoding.UTF8.GetBytes(body), segment), Charset.Utf8, 10, CancellationToken.None);

        Assert.Equal("name,LAT,lon", batch.Header);
        Assert.Equal(["\"two\nlines, \"\"quoted\"\"\",-10,-74", "b,-9.5,x"], batch.Records);
        Assert.Equal([-74, double.NaN], batch.Points.Lons);
        Assert.Equal([null, "lon is not a number: 'x'"], batch.Points.Errors);
    }

    // Found by fuzzing: the message quoted the header, line breaks and all.
    [Fact]
    public async Task A_csv_header_without_lat_is_named_in_one_line()
    {
        var e = await Assert.ThrowsAsync<BatchFormatException>(() =>
            CsvBatch.ReadAsync(Reader("\"na\nme\",lon\na,1\n"u8.ToArray(), 4096), Charset.Utf8, 10, CancellationToken.None));

        Assert.Contains("'lat'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    // Found by fuzzing: System.Text.Json quotes the invalid token with the rest of the segment, line breaks and all,
    // and as long as the segment.
    [Fact]
    public async Task A_json_syntax_error_is_one_bounded_line()
    {
        var body = Encoding.UTF8.GetBytes("{\"points\":[[-74,-10]," + "tru\n" + new string('x', 20_000) + "]}");

        var e = await Assert.ThrowsAsync<BatchFormatException>(() => BatchJsonParser.ReadAsync(Reader(body, body.Length), 10, CancellationToken.None));

        Assert.StartsWith("the body is not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.True(e.Message.Length <= 1000, $"{e.Message.Length} characters");
    }

    // Found by fuzzing (target batch-json): System.Text.Json's multi-segment reader threw IndexOutOfRangeException on
    // this body's unfinished literal (nu) read in 7-byte segments, a 500 on POST /v1/lookup; its syntax errors are
    // 400 problems like any other.
    [Theory]
    [InlineData(7)]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task An_unfinished_literal_split_across_segments_is_a_format_error(int segment)
    {
        const string body = """{"points]]]]]]a]]]]]":[[-74,"x",[1e-110],10],[-740],[-74],[1e480,-10],[-74,-10,5],{"id":[1],"lon":-74,"eat":-10},nu""";

        var e = await Assert.ThrowsAsync<BatchFormatException>(() => BatchJsonParser.ReadAsync(Reader(Encoding.UTF8.GetBytes(body), segment), 64, CancellationToken.None));

        Assert.IsAssignableFrom<System.Text.Json.JsonException>(e.InnerException);
    }

    [Fact]
    public async Task A_long_string_read_in_small_segments_is_read_whole()
    {
        var id = new string('x', 100_000);
        var body = Encoding.UTF8.GetBytes($$"""{"points":[{"id":"{{id}}","lon":-74,"lat":-10}]}""");

        var points = await BatchJsonParser.ReadAsync(Reader(body, 16), 10, CancellationToken.None);

        Assert.Equal(id, JsonSerializer.Deserialize<string>(points.Ids[0]!));
    }

    private static PipeReader Reader(byte[] body, int segment) => SegmentedStream.Reader(body, segment);
}
