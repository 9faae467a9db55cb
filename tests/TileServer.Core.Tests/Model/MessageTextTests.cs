using System.Text;
using TileServer.Core.Aggregation;
using TileServer.Core.Features.Cql2;
using TileServer.Core.Ingest;
using TileServer.Core.Model;

namespace TileServer.Core.Tests.Model;

/// <summary>
/// Errors that quote a request stay one printable line (<see cref="MessageText.SingleLine"/>): the inputs are the
/// crashes the fuzzer found in the request parsers (issue 17; <c>fuzz.sh query cql2</c>), whose messages quoted a
/// carriage return from the body; and data file errors, which pass through the same helper with a bound of their own.
/// </summary>
public class MessageTextTests
{
    [Theory]
    [InlineData("n\",\"coordinates\":[[[\r74,-10],[-:[[[[[[-7 ,-10]&[-7\0-1!],[-73.9,-'.9],[-74,-9.9],\u0010-74,-10]]]}")]
    [InlineData("{\"type\":\"Polygon\",\"_oordinatUs\":[[t\r74,-10],[-73.9-10],[-73,-9.9],74,-9.9],[-74,-10]]]}")]
    public void A_query_body_error_quoting_control_characters_is_one_printable_line(string body)
    {
        var error = Assert.Throws<InvalidQueryException>(() => GeoJsonQueryReader.Read(Encoding.UTF8.GetBytes(body), new GeoJsonReadLimits()));

        AssertOnePrintableLine(error.Message);
    }

    [Theory]
    [InlineData("p'\r\tM\uFFFD'")]
    [InlineData("pRE '=I\r$'")]
    public void A_cql2_error_quoting_control_characters_is_one_printable_line(string filter)
    {
        var error = Assert.Throws<CqlException>(() => Cql2TextParser.Parse(filter));

        AssertOnePrintableLine(error.Message);
    }

    [Theory]
    [InlineData("S_INTERSECTS(geometry, POLYGON((-77 -12, -76 -12, -7\uFFFD1, -77 -12)))")]
    [InlineData("S_INTERSECTS(geometry, POLYGON(\u00A3-77 -12, -76 -12, -76 -11, -77 -12)))")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((-77 -12, -76 -12, -7\u0000\u0001-11, -77 -12)))")]
    public void A_wkt_literal_with_a_character_outside_ascii_is_a_cql2_error_not_a_crash(string filter)
    {
        // Found by fuzzing: NTS's WKT tokenizer threw IndexOutOfRangeException, a 500 on ?filter=.
        var error = Assert.Throws<CqlException>(() => Cql2TextParser.Parse(filter));

        Assert.Contains("POLYGON literal", error.Message, StringComparison.Ordinal);
        AssertOnePrintableLine(error.Message);
    }

    [Fact]
    public void A_long_message_is_cut_and_control_characters_are_shown_escaped()
    {
        Assert.Equal("a\\nb\\r\\tc\\u0000", MessageText.SingleLine("a\nb\r\tc\0"));
        Assert.Equal(MessageText.MaxLength, MessageText.SingleLine(new string('x', 10_000)).Length);
        Assert.EndsWith("...", MessageText.SingleLine(new string('x', 10_000)), StringComparison.Ordinal);
        Assert.Equal("plain text, é ñ", MessageText.SingleLine("plain text, é ñ"));
    }

    [Fact]
    public void A_data_file_error_is_one_printable_line_within_its_own_bound()
    {
        // A terminal escape and a line break quoted from a CSV cell: shown, not obeyed, and the message capped at
        // DataFileException's bound (an operator's terminal line), not MessageText's.
        var error = new DataFileException("estimates.csv", $"line 3: code \"15\r\n01\u001B[31m\" is not 6 digits; {new string('x', 2000)}");

        Assert.StartsWith("estimates.csv: line 3: code \"15\\r\\n01\\u001B[31m\" is not 6 digits; xxx", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("line 3: code \"15\\r\\n01\\u001B[31m\"", error.Problem, StringComparison.Ordinal);
        Assert.Equal(DataFileException.MaxMessageLength, error.Message.Length);
        Assert.EndsWith("...", error.Message, StringComparison.Ordinal);
        AssertOnePrintableLine(error.Message);
    }

    private static void AssertOnePrintableLine(string message)
    {
        Assert.DoesNotContain(message, char.IsControl);
        Assert.True(message.Length <= MessageText.MaxLength, message);
    }
}
