using TileServer.Core.Features;

namespace TileServer.Core.Tests.Features;

/// <summary>Paging, sorting, boxes, queryable parameters and parameter errors of <c>items</c>, on the four squares.</summary>
public class FeatureQueryTests(FourSquaresFeatures squares) : IClassFixture<FourSquaresFeatures>
{
    [Fact]
    public void Default_order_is_by_code_and_limit_defaults_to_100()
    {
        var query = squares.Query();

        Assert.Equal(["010101", "010102", "010201", "020101"], query.Matches().Select(query.Set.Code));
        Assert.Equal(100, query.Limit);
        Assert.Equal(0, query.Offset);
        Assert.False(query.IsFiltered);
    }

    [Theory]
    [InlineData("-pobreza_pct", "010201,010102,010101,020101")]
    [InlineData("pobreza_pct", "010101,010102,010201,020101")]
    [InlineData(" pobreza_pct", "010101,010102,010201,020101")]
    [InlineData("-poblacion", "010102,010101,020101,010201")]
    [InlineData("department,-name", "010101,010201,010102,020101")]
    [InlineData("has_estimates", "010101,010102,010201,020101")]
    public void Sortby_orders_with_nulls_last_and_code_breaking_ties(string sortby, string expected) =>
        Assert.Equal(expected, string.Join(",", squares.Codes(("sortby", sortby))));

    [Fact]
    public void Limit_above_the_maximum_is_capped_not_refused()
    {
        var query = squares.Query(("limit", "20000"));

        Assert.Equal(10_000, query.Limit);
        Assert.True(query.LimitCapped);
        Assert.Equal(int.MaxValue > 10_000, squares.Query(("limit", "99999999999")).LimitCapped);
    }

    [Theory]
    [InlineData("department", "01", "010101,010102,010201")]
    [InlineData("province", "0101", "010101,010102")]
    [InlineData("name", "TRES", "010201")]
    [InlineData("pobreza_pct", "30", "010102")]
    [InlineData("has_estimates", "true", "010101,010102,010201,020101")]
    public void Queryables_as_parameters_filter_by_equality(string name, string value, string expected) =>
        Assert.Equal(expected, string.Join(",", squares.Codes((name, value))));

    [Theory]
    [InlineData("-76.9,-12.9,-75.1,-12.1", null, "010101,010102")]
    [InlineData("-76.9,-12.9,0,-75.1,-12.1,0", null, "010101,010102")]
    [InlineData("-12.9,-76.9,-12.1,-75.1", "http://www.opengis.net/def/crs/EPSG/0/4326", "010101,010102")]
    [InlineData("179,-90,-76.5,90", null, "010101,010201")]
    [InlineData("10,10,20,20", null, "")]
    public void Bbox_selects_the_features_it_intersects(string bbox, string? crs, string expected)
    {
        var parameters = crs is null ? new[] { ("bbox", bbox) } : [("bbox", bbox), ("bbox-crs", crs)];
        Assert.Equal(expected, string.Join(",", squares.Codes(parameters)));
    }

    /// <summary>The antimeridian rule (README, "Antimeridian") for CQL2 polygon literals: an edge over 180° of
    /// longitude crosses it, so this polygon is the same area as the bbox 179,-89,-76.5,89 across the antimeridian,
    /// not the box from -76.5 east to 179; one round a pole is an error naming the filter.</summary>
    [Fact]
    public void A_CQL2_polygon_across_the_antimeridian_is_cut_there_like_a_bbox_across_it()
    {
        const string across = "S_INTERSECTS(geometry, POLYGON((179 -89, -76.5 -89, -76.5 89, 179 89, 179 -89)))";

        Assert.Equal(string.Join(",", squares.Codes(("bbox", "179,-89,-76.5,89"))), string.Join(",", squares.Codes(("filter", across))));
        Assert.Equal("010101,010201", string.Join(",", squares.Codes(("filter", across))));
        var error = Assert.Throws<FeatureQueryException>(() => squares.Query(("filter", "S_INTERSECTS(geometry, POLYGON((-170 80, -50 80, 70 80, -170 80)))")));
        Assert.Equal("filter", error.Parameter);
        Assert.Contains("pole", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Filters_combine_with_and()
    {
        Assert.Equal(["010102"], squares.Codes(("bbox", "-76.9,-12.9,-75.1,-12.1"), ("filter", "pobreza_pct > 20"), ("department", "01")));
    }

    [Fact]
    public void Properties_select_columns_in_request_order()
    {
        var query = squares.Query(("properties", "pobreza_pct,code"));

        Assert.Equal(["pobreza_pct", "code"], query.Properties!.Select(p => query.Set.Properties[p].Name));
    }

    [Fact]
    public void Datetime_is_accepted_and_filters_nothing()
    {
        Assert.Equal(4, squares.Codes(("datetime", "2018-01-01T00:00:00Z")).Length);
        Assert.Equal(4, squares.Codes(("datetime", "2010-01-01/..")).Length);
        Assert.Equal(4, squares.Codes(("datetime", "2018-06-01")).Length);
    }

    [Theory]
    [InlineData("limit", "0", "limit", "at least 1")]
    [InlineData("limit", "ten", "limit", "must be an integer")]
    [InlineData("offset", "-1", "offset", "at least 0")]
    [InlineData("bbox", "1,2,3", "bbox", "4 or 6")]
    [InlineData("bbox", "1,2,x,4", "bbox", "'x' is not a number")]
    [InlineData("bbox", "1,5,3,4", "bbox", "lower corner exceeds")]
    [InlineData("crs", "EPSG:2000", "crs", "Unsupported CRS 'EPSG:2000'")]
    [InlineData("bbox-crs", "EPSG:4326", "bbox-crs", "without 'bbox'")]
    [InlineData("sortby", "-nope", "sortby", "Cannot sort by 'nope'")]
    [InlineData("properties", "code,nope", "properties", "Unknown property 'nope'")]
    [InlineData("skipGeometry", "yes", "skipGeometry", "true or false")]
    [InlineData("geometry", "raw", "geometry", "'cleaned' or 'source' (or 'wkt' with f=csv)")]
    [InlineData("datetime", "yesterday", "datetime", "RFC 3339")]
    [InlineData("filter-lang", "cql-text", "filter", "need a 'filter'")]
    [InlineData("pobreza_pct", "high", "pobreza_pct", "is a number")]
    [InlineData("colour", "red", "colour", "Unknown parameter 'colour'")]
    [InlineData("dataset_version", "x", "dataset_version", "Unknown parameter")]
    public void Bad_parameters_are_named(string name, string value, string parameter, string message)
    {
        var error = Assert.Throws<FeatureQueryException>(() => squares.Query((name, value)));

        Assert.Equal(parameter, error.Parameter);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    // Found by fuzzing (target params): the messages quoted the request's line breaks, so a problem's detail and its
    // log line ran over several lines.
    [Theory]
    [InlineData("filter-lang", "cql2-text\ngeometry=source", "filter-lang")]
    [InlineData("bbox", "1,2,3,x\r\n4", "bbox")]
    [InlineData("colour\nred", "x", "colour\\nred")]
    public void Errors_quoting_the_request_are_one_line(string name, string value, string parameter)
    {
        var error = Assert.Throws<FeatureQueryException>(() => squares.Query((name, value), ("filter", "poblacion > 1")));

        Assert.Equal(parameter, error.Parameter);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
    }

    [Fact]
    public void A_repeated_parameter_is_an_error()
    {
        var error = Assert.Throws<FeatureQueryException>(() => FeatureQuery.Parse(squares.Districts,
            [new KeyValuePair<string, IReadOnlyList<string>>("limit", ["1", "2"])], new FeatureLimits()));

        Assert.Contains("given 2 times", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84")]
    [InlineData("https://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326")]
    [InlineData("[EPSG:32718]", "EPSG:32718")]
    [InlineData("urn:ogc:def:crs:EPSG::3857", "EPSG:3857")]
    [InlineData("epsg:32717", "EPSG:32717")]
    public void Crs_is_read_in_every_usual_spelling(string text, string curie) => Assert.Equal(curie, FeatureCrs.Find(text)?.Curie);
}
