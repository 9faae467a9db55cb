using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using TileServer.Core.Features;

namespace TileServer.Core.Tests.Features;

/// <summary>Filters over the four squares, each against the answer worked out by hand from their values and boxes.</summary>
public class FeatureFilterTests(FourSquaresFeatures squares) : IClassFixture<FourSquaresFeatures>
{
    [Theory]
    [InlineData("pobreza_pct > 20", "010102,010201")]
    [InlineData("pobreza_pct < 100", "010101,010102,010201")]
    [InlineData("NOT (pobreza_pct > 20)", "010101")]
    [InlineData("pobreza_pct <> 30", "010101,010201")]
    [InlineData("pobreza_pct IS NULL", "020101")]
    [InlineData("poblacion IS NOT NULL AND pobreza_pct IS NOT NULL", "010101,010102")]
    [InlineData("poblacion BETWEEN 500 AND 1000", "010101,020101")]
    [InlineData("poblacion NOT BETWEEN 500 AND 1000", "010102")]
    [InlineData("code IN ('010101','020101','999999')", "010101,020101")]
    [InlineData("code NOT IN ('010101')", "010102,010201,020101")]
    [InlineData("department = '01' AND province <> '0101'", "010201")]
    [InlineData("pobreza_pct >= 30 OR poblacion < 600", "010102,010201,020101")]
    [InlineData("name LIKE 'DOS%'", "010102")]
    [InlineData("name LIKE 'D_S %'", "010102")]
    [InlineData("name LIKE '%ÑANDÚ'", "010102")]
    [InlineData("name LIKE '%nandu'", "")]
    [InlineData("accenti(casei(name)) LIKE accenti(casei('%ñandu%'))", "010102")]
    [InlineData("ACCENTI(name) = 'DOS NANDU'", "010102")]
    [InlineData("CASEI(name) IN (CASEI('uno'), CASEI('Cuatro'))", "010101,020101")]
    [InlineData("name NOT LIKE '%O%'", "010201")]
    [InlineData("has_estimates", "010101,010102,010201,020101")]
    [InlineData("has_estimates = false", "")]
    [InlineData("TRUE", "010101,010102,010201,020101")]
    [InlineData("S_INTERSECTS(geometry, POINT(-76.5 -12.5))", "010101")]
    [InlineData("S_INTERSECTS(geometry, BBOX(-76.9, -12.9, -75.1, -12.1))", "010101,010102")]
    [InlineData("S_INTERSECTS(geometry, POLYGON((-76.5 -12.5, -75.5 -12.5, -75.5 -11.5, -76.5 -12.5)))", "010101,010102,010201,020101")]
    [InlineData("S_INTERSECTS(geometry, LINESTRING(-76.5 -11.5, -76.4 -11.2))", "010201")]
    [InlineData("S_INTERSECTS(geometry, POINT(0 0))", "")]
    [InlineData("NOT S_INTERSECTS(geometry, POINT(-76.5 -12.5)) AND pobreza_pct > 0", "010102,010201")]
    public void Cql2_text_filters_select_what_the_values_say(string filter, string expected) =>
        Assert.Equal(expected, string.Join(",", squares.Codes(("filter", filter))));

    [Theory]
    [InlineData("""{"op":">","args":[{"property":"pobreza_pct"},20]}""", "010102,010201")]
    [InlineData("""{"op":"and","args":[{"op":"isNull","args":[{"property":"pobreza_pct"}]},{"op":"=","args":[{"property":"department"},"02"]}]}""", "020101")]
    [InlineData("""{"op":"like","args":[{"op":"accenti","args":[{"op":"casei","args":[{"property":"name"}]}]},{"op":"accenti","args":[{"op":"casei","args":["%ñandú"]}]}]}""", "010102")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"type":"Point","coordinates":[-75.5,-11.5]}]}""", "020101")]
    [InlineData("""{"op":"s_intersects","args":[{"property":"geometry"},{"bbox":[-76.9,-12.9,-75.1,-12.1]}]}""", "010101,010102")]
    [InlineData("""{"op":"between","args":[{"property":"poblacion"},500,1000]}""", "010101,020101")]
    public void Cql2_json_filters_select_the_same(string filter, string expected) =>
        Assert.Equal(expected, string.Join(",", squares.Codes(("filter", filter), ("filter-lang", "cql2-json"))));

    [Fact]
    public void Filter_crs_epsg_4326_reads_latitude_first()
    {
        Assert.Equal(["010101"], squares.Codes(("filter", "S_INTERSECTS(geometry, POINT(-12.5 -76.5))"), ("filter-crs", "http://www.opengis.net/def/crs/EPSG/0/4326")));
        Assert.Equal(["010102"], squares.Codes(("filter", "S_INTERSECTS(geometry, BBOX(-12.9, -75.9, -12.1, -75.1))"), ("filter-crs", "EPSG:4326")));
    }

    [Fact]
    public void Filter_crs_utm_is_transformed_to_lon_lat()
    {
        var utm = new CoordinateTransformationFactory().CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, ProjectedCoordinateSystem.WGS84_UTM(18, false)).MathTransform;
        var (x, y) = (-75.5, -12.5);
        utm.Transform(ref x, ref y);

        var codes = squares.Codes(("filter", FormattableString.Invariant($"S_INTERSECTS(geometry, POINT({x} {y}))")), ("filter-crs", "http://www.opengis.net/def/crs/EPSG/0/32718"));

        Assert.Equal(["010102"], codes);
    }

    [Theory]
    [InlineData("name > 3", 8, "cannot compare text property 'name' with a number 3")]
    [InlineData("pobresa_pct > 3", 1, "unknown property 'pobresa_pct'; the queryables of districts are code, name")]
    [InlineData("pobreza_pct LIKE '1%'", 1, "LIKE applies to text")]
    [InlineData("name BETWEEN 'A' AND 'B'", 1, "BETWEEN applies to numbers")]
    [InlineData("code IN ('01', 2)", 16, "cannot compare text property 'code' with a number 2")]
    [InlineData("S_WITHIN(geometry, POINT(0 0))", 1, "unsupported function S_WITHIN")]
    [InlineData("S_INTERSECTS(name, POINT(0 0))", 14, "S_INTERSECTS compares geometries")]
    [InlineData("geometry = 3", 12, "cannot compare a geometry")]
    [InlineData("CASEI(pobreza_pct) = 'x'", 7, "CASEI applies to text")]
    [InlineData("pobreza_pct", 1, "expected a predicate, found a number property 'pobreza_pct'")]
    [InlineData("name LIKE 'a\\'", 11, "cannot end with the escape character")]
    public void Type_and_name_errors_name_the_position(string filter, int character, string message)
    {
        var error = Assert.Throws<FeatureQueryException>(() => squares.Query(("filter", filter)));

        Assert.Equal("filter", error.Parameter);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Contains($"at character {character}", error.Message, StringComparison.Ordinal);
    }
}
