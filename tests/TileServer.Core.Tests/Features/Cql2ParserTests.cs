using System.Globalization;
using System.Text;
using TileServer.Core.Features.Cql2;

namespace TileServer.Core.Tests.Features;

/// <summary>
/// The CQL2 parsers against the examples of the CQL2 standard (OGC 21-065r2, Annex B and the examples published
/// with its schema): each text example and its JSON twin must parse to the same tree, written here as an
/// S-expression by a printer that is not part of the server.
/// </summary>
public class Cql2ParserTests
{
    public static TheoryData<string, string, string> SpecificationExamples => new()
    {
        { "city='Toronto'", """{"op":"=","args":[{"property":"city"},"Toronto"]}""", "(= city 'Toronto')" },
        { "name LIKE 'Smith%'", """{"op":"like","args":[{"property":"name"},"Smith%"]}""", "(like name 'Smith%')" },
        { "depth BETWEEN 100.0 and 150.0", """{"op":"between","args":[{"property":"depth"},100.0,150.0]}""", "(between depth 100 150)" },
        { "cityName IN ('Toronto','Frankfurt','Tokyo','New York')", """{"op":"in","args":[{"property":"cityName"},["Toronto","Frankfurt","Tokyo","New York"]]}""", "(in cityName 'Toronto' 'Frankfurt' 'Tokyo' 'New York')" },
        { "category NOT IN (1,2,3,4)", """{"op":"not","args":[{"op":"in","args":[{"property":"category"},[1,2,3,4]]}]}""", "(not (in category 1 2 3 4))" },
        { "CASEI(road_class) IN (CASEI('Οδος'),CASEI('Straße'))", """{"op":"in","args":[{"op":"casei","args":[{"property":"road_class"}]},[{"op":"casei","args":["Οδος"]},{"op":"casei","args":["Straße"]}]]}""", "(in (casei road_class) (casei 'Οδος') (casei 'Straße'))" },
        { "ACCENTI(etat_vol) = ACCENTI('débárquér')", """{"op":"=","args":[{"op":"accenti","args":[{"property":"etat_vol"}]},{"op":"accenti","args":["débárquér"]}]}""", "(= (accenti etat_vol) (accenti 'débárquér'))" },
        { "S_INTERSECTS(geometry,POINT(36.319836 32.288087))", """{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[36.319836,32.288087]}]}""", "(s_intersects geometry POINT (36.319836 32.288087))" },
        { "geometry IS NOT NULL", """{"op":"not","args":[{"op":"isNull","args":[{"property":"geometry"}]}]}""", "(not (isnull geometry))" },
        { "eo:cloud_cover < 0.1 AND landsat:wrs_row=28 AND landsat:wrs_path=203", """{"op":"and","args":[{"op":"<","args":[{"property":"eo:cloud_cover"},0.1]},{"op":"=","args":[{"property":"landsat:wrs_row"},28]},{"op":"=","args":[{"property":"landsat:wrs_path"},203]}]}""", "(and (< eo:cloud_cover 0.1) (= landsat:wrs_row 28) (= landsat:wrs_path 203))" },
        { "eo:cloud_cover IN (0.1,0.2)", """{"op":"in","args":[{"property":"eo:cloud_cover"},[0.1,0.2]]}""", "(in eo:cloud_cover 0.1 0.2)" },
        { "NOT (floors<5) OR swimming_pool=true", """{"op":"or","args":[{"op":"not","args":[{"op":"<","args":[{"property":"floors"},5]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}""", "(or (not (< floors 5)) (= swimming_pool true))" },
        { "swimming_pool=true AND (floors>5\n OR  material LIKE 'brick%'\n OR  material LIKE '%brick')", """{"op":"and","args":[{"op":"=","args":[{"property":"swimming_pool"},true]},{"op":"or","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"like","args":[{"property":"material"},"brick%"]},{"op":"like","args":[{"property":"material"},"%brick"]}]}]}""", "(and (= swimming_pool true) (or (> floors 5) (like material 'brick%') (like material '%brick')))" },
        { "(floors>5 AND material='brick') OR swimming_pool=true", """{"op":"or","args":[{"op":"and","args":[{"op":">","args":[{"property":"floors"},5]},{"op":"=","args":[{"property":"material"},"brick"]}]},{"op":"=","args":[{"property":"swimming_pool"},true]}]}""", "(or (and (> floors 5) (= material 'brick')) (= swimming_pool true))" },
        { "owner NOT LIKE '%Mike%'", """{"op":"not","args":[{"op":"like","args":[{"property":"owner"},"%Mike%"]}]}""", "(not (like owner '%Mike%'))" },
        { "CASEI(geophys:SURVEY_NAME) LIKE CASEI('%calcutta%')", """{"op":"like","args":[{"op":"casei","args":[{"property":"geophys:SURVEY_NAME"}]},{"op":"casei","args":["%calcutta%"]}]}""", "(like (casei geophys:SURVEY_NAME) (casei '%calcutta%'))" },
        { "\"value\" IS NULL OR \"value\" BETWEEN 10 AND 20", """{"op":"or","args":[{"op":"isNull","args":[{"property":"value"}]},{"op":"between","args":[{"property":"value"},10,20]}]}""", "(or (isnull value) (between value 10 20))" },
        { "S_INTERSECTS(geometry,POLYGON((-10.0 -10.0,10.0 -10.0,10.0 10.0,-10.0 -10.0)))", """{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Polygon","coordinates":[[[-10.0,-10.0],[10.0,-10.0],[10.0,10.0],[-10.0,-10.0]]]}]}""", "(s_intersects geometry POLYGON ((-10 -10, 10 -10, 10 10, -10 -10)))" },
        { "S_INTERSECTS(\"geometry\", BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))", """{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-128.098193,-1.1,-99999.0,180.0,90.0,100000.0]}]}""", "(s_intersects geometry POLYGON ((-128.098193 -1.1, -128.098193 90, 180 90, 180 -1.1, -128.098193 -1.1)))" },
        { "\"id\" <> 'fa7e1920-9107-422d-a3db-c468cbc5d6df'", """{"op":"<>","args":[{"property":"id"},"fa7e1920-9107-422d-a3db-c468cbc5d6df"]}""", "(<> id 'fa7e1920-9107-422d-a3db-c468cbc5d6df')" },
        { "\"value\" >= 10", """{"op":">=","args":[{"property":"value"},10]}""", "(>= value 10)" },
        { "avg(windSpeed) < 4", """{"op":"<","args":[{"op":"avg","args":[{"property":"windSpeed"}]},4]}""", "(< (avg windSpeed) 4)" },
    };

    [Theory]
    [MemberData(nameof(SpecificationExamples))]
    public void Text_and_json_examples_of_the_standard_parse_to_the_same_tree(string text, string json, string expected)
    {
        Assert.Equal(expected, Print(Cql2TextParser.Parse(text)));
        Assert.Equal(expected, Print(Cql2JsonParser.Parse(json)));
    }

    [Theory]
    [InlineData("name like 'A%' and not code = '01'", "(and (like name 'A%') (not (= code '01')))")]
    [InlineData("x = -1.5e2", "(= x -150)")]
    [InlineData("x = .5", "(= x 0.5)")]
    [InlineData("name = 'O''Higgins'", "(= name 'O'Higgins')")]
    [InlineData("a = 1 OR b = 2 AND c = 3", "(or (= a 1) (and (= b 2) (= c 3)))")]
    [InlineData("TRUE", "true")]
    [InlineData("has_estimates", "has_estimates")]
    [InlineData("s_intersects(geometry, bbox(-77, -13, -76, -12))", "(s_intersects geometry POLYGON ((-77 -13, -77 -12, -76 -12, -76 -13, -77 -13)))")]
    [InlineData("S_INTERSECTS(geometry, POINT Z (1 2 3))", "(s_intersects geometry POINT Z(1 2 3))")]
    [InlineData("name = 'ÑANDÚ' AND número > 3", "(and (= name 'ÑANDÚ') (> número 3))")]
    public void Text_grammar_details(string text, string expected) => Assert.Equal(expected, Print(Cql2TextParser.Parse(text)));

    [Theory]
    [InlineData("pobreza_pct > ", 15, "expected a property, literal or function")]
    [InlineData("name = 'abc", 8, "unterminated character literal")]
    [InlineData("T_BEFORE(built, DATE('2015-01-01'))", 17, "temporal literals")]
    [InlineData("vehicle_height > (bridge_clearance-1)", 18, "arithmetic")]
    [InlineData("a = 1 b = 2", 7, "unexpected 'b' after a complete expression")]
    [InlineData("(a = 1", 7, "expected ')' closing the parenthesis opened at character 1")]
    [InlineData("a BETWEEN 1 OR 2", 13, "expected AND between the bounds")]
    [InlineData("a NOT = 1", 7, "expected LIKE, BETWEEN or IN after NOT")]
    [InlineData("a IS 1", 6, "expected NULL after IS")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((1 2, 3 4, 1 2)", 24, "unbalanced parentheses in the POLYGON literal")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((1 2, 3 4)))", 24, "invalid POLYGON literal")]
    [InlineData("S_INTERSECTS(geometry, POINT(1))", 24, "invalid POINT literal")]
    [InlineData("S_INTERSECTS(geometry, BBOX(1, 2, 3))", 28, "BBOX takes 4 or 6 numbers, got 3")]
    [InlineData("a = 1 & b = 2", 7, "unexpected character '&'")]
    [InlineData("A_CONTAINS(layer:ids, ['a'])", 23, "arrays are not supported")]
    public void Errors_name_the_position(string text, int character, string message)
    {
        var error = Assert.Throws<CqlException>(() => Cql2TextParser.Parse(text));

        Assert.Equal(character, error.Location.Character);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains($"at character {character}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var text = new string('(', 10_000) + "a = 1" + new string(')', 10_000);

        var error = Assert.Throws<CqlException>(() => Cql2TextParser.Parse(text));

        Assert.Contains("nests deeper than", error.Message, StringComparison.Ordinal);
        Assert.Throws<CqlException>(() => Cql2TextParser.Parse(string.Concat(Enumerable.Repeat("NOT ", 10_000)) + "a = 1"));
    }

    [Theory]
    [InlineData("""{"op":"=","args":[{"property":"a"}]}""", "/args", "takes 2 arguments, got 1")]
    [InlineData("""{"op":"and","args":[{"op":"=","args":[{"property":"a"},1]},{"op":"like","args":[{"property":""},"x"]}]}""", "/args/1/args/0/property", "non-empty string")]
    [InlineData("""{"op":"in","args":[{"property":"a"},"x"]}""", "/args/1", "non-empty array")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[1,2,3]}]}""", "/args/1/bbox", "4 or 6 numbers")]
    [InlineData("""{"op":"t_before","args":[{"property":"built"},{"date":"2015-01-01"}]}""", "/args/1", "temporal literals")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":"x"}]}""", "/args/1", "invalid GeoJSON geometry")]
    [InlineData("""{"args":[1]}""", "the root", "expected an object")]
    [InlineData("""{"op":"=","args":[1,2]""", "the root", "not JSON")]
    public void Json_errors_name_the_member(string json, string pointer, string message)
    {
        var error = Assert.Throws<CqlException>(() => Cql2JsonParser.Parse(json));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains($"at {pointer}", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The tree as an S-expression: operators lower-case, literals as written, geometries as WKT.</summary>
    private static string Print(CqlNode node) => node switch
    {
        CqlProperty p => p.Name,
        CqlLiteral { Value: string s } => $"'{s}'",
        CqlLiteral { Value: double d } => d.ToString(CultureInfo.InvariantCulture),
        CqlLiteral { Value: bool b } => b ? "true" : "false",
        CqlGeometry g => g.Geometry.AsText(),
        CqlFunction f => $"({f.Name} {string.Join(" ", f.Arguments.Select(Print))})",
        CqlComparison c => $"({Symbol(c.Operator)} {Print(c.Left)} {Print(c.Right)})",
        CqlLike l => $"(like {Print(l.Value)} {Print(l.Pattern)})",
        CqlBetween b => $"(between {Print(b.Value)} {Print(b.Low)} {Print(b.High)})",
        CqlIn i => $"(in {Print(i.Value)} {string.Join(" ", i.List.Select(Print))})",
        CqlIsNull n => $"(isnull {Print(n.Value)})",
        CqlNot n => $"(not {Print(n.Operand)})",
        CqlAnd a => new StringBuilder("(and ").AppendJoin(' ', a.Operands.Select(Print)).Append(')').ToString(),
        CqlOr o => new StringBuilder("(or ").AppendJoin(' ', o.Operands.Select(Print)).Append(')').ToString(),
        _ => throw new InvalidOperationException(node.GetType().Name),
    };

    private static string Symbol(CqlComparisonOperator op) => op switch
    {
        CqlComparisonOperator.Equal => "=",
        CqlComparisonOperator.NotEqual => "<>",
        CqlComparisonOperator.LessThan => "<",
        CqlComparisonOperator.LessThanOrEqual => "<=",
        CqlComparisonOperator.GreaterThan => ">",
        _ => ">=",
    };
}
