using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using TileServer.Core.Aggregation;

namespace TileServer.Core.Tests.Aggregation;

public sealed class GeoJsonQueryReaderTests
{
    private static readonly GeoJsonReadLimits Limits = new();

    private const string Ring = "[[-74,-10],[-73,-10],[-73,-9],[-74,-9],[-74,-10]]";

    private static GeoJsonQuery Read(string json, GeoJsonReadLimits? limits = null) =>
        GeoJsonQueryReader.Read(Encoding.UTF8.GetBytes(json), limits ?? Limits);

    private static InvalidQueryException Fails(string json, GeoJsonReadLimits? limits = null) =>
        Assert.Throws<InvalidQueryException>(() => Read(json, limits));

    [Fact]
    public void PolygonWithHoleIsReadWhateverTheMemberOrder()
    {
        var hole = "[[-73.8,-9.8],[-73.8,-9.2],[-73.2,-9.2],[-73.2,-9.8],[-73.8,-9.8]]";

        var query = Read($$$"""{"coordinates":[{{{Ring}}},{{{hole}}}],"crs":{"type":"name"},"type":"Polygon"}""");

        var polygon = Assert.IsType<Polygon>(Assert.Single(query.Features).Geometry);
        Assert.False(query.IsCollection);
        Assert.Equal(1, polygon.NumInteriorRings);
        Assert.Equal(1 - 0.36, polygon.Area, 1e-12);
        Assert.Equal(4326, polygon.SRID);
    }

    [Fact]
    public void MultiPolygonFeatureKeepsItsIdAndProperties()
    {
        var query = Read($$$"""{"type":"Feature","id":42,"properties":{"zone":"A"},"geometry":{"type":"MultiPolygon","coordinates":[[{{{Ring}}}],[{{{Ring.Replace("-74", "-76", StringComparison.Ordinal).Replace("-73", "-75", StringComparison.Ordinal)}}}]]}}""");

        var feature = Assert.Single(query.Features);
        Assert.False(query.IsCollection);
        Assert.Equal(2, Assert.IsType<MultiPolygon>(feature.Geometry).NumGeometries);
        Assert.Equal(42, feature.Id!.Value.GetInt32());
        Assert.Equal("A", feature.Properties!.Value.GetProperty("zone").GetString());
    }

    [Fact]
    public void ThirdDimensionIsIgnoredAndUtf8BomAccepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{"type":"Polygon","coordinates":[[[-74,-10,5],[-73,-10,5],[-73,-9,5],[-74,-10,5]]]}""")).ToArray();

        var polygon = GeoJsonQueryReader.Read(bytes, Limits).Features[0].Geometry;

        Assert.Equal(0.5, polygon.Area, 1e-12);
    }

    [Fact]
    public void ErrorsNameTheJsonPath()
    {
        var error = Fails($$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,-9],[-74,-9]]]}}]}""");

        Assert.Equal(QueryProblem.NotGeoJson, error.Problem);
        Assert.Contains("features[1].geometry.coordinates[0]", error.Message, StringComparison.Ordinal);
        Assert.Contains("not closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VertexLimitCountsTheWholeBodyAndStopsBeforeBuilding()
    {
        var body = $$$"""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}},{"type":"Feature","geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}}]}""";

        Assert.Equal(2, Read(body, Limits with { MaxVertices = 10 }).Features.Count);
        var error = Fails(body, Limits with { MaxVertices = 9 });
        Assert.Equal(QueryProblem.TooManyVertices, error.Problem);
        Assert.Contains("features[1].geometry.coordinates[0][4]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DepthIsCheckedBeforeAnythingIsRead()
    {
        var deep = $$$"""{"type":"Polygon","coordinates":[{{{Ring}}}],"extra":{{{new string('[', 40)}}}{{{new string(']', 40)}}}}""";

        var error = Fails(deep);

        Assert.Equal(QueryProblem.TooDeep, error.Problem);
        Assert.Contains("16 levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FeatureLimitIsEnforced()
    {
        var feature = $$$"""{"type":"Feature","geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}}""";

        var error = Fails($$$"""{"type":"FeatureCollection","features":[{{{feature}}},{{{feature}}}]}""", Limits with { MaxFeatures = 1 });

        Assert.Equal(QueryProblem.TooManyFeatures, error.Problem);
    }

    [Theory]
    [InlineData("""{"type":"Point","coordinates":[1,2]}""", QueryProblem.NotPolygonal)]
    [InlineData("""{"type":"Feature","geometry":null}""", QueryProblem.Empty)]
    [InlineData("""{"type":"Feature"}""", QueryProblem.NotGeoJson)]
    [InlineData("""{"type":1}""", QueryProblem.NotGeoJson)]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,-9],[-74,-10]]],}""", QueryProblem.NotGeoJson)]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,NaN],[-74,-10]]]}""", QueryProblem.NotGeoJson)]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,1e400],[-74,-10]]]}""", QueryProblem.NonFiniteCoordinate)]
    [InlineData("""{"type":"Polygon","coordinates":[[[-200,-10],[-73,-10],[-73,-9],[-200,-10]]]}""", QueryProblem.CoordinateOutOfRange)]
    public void BadGeoJsonIsClassified(string json, QueryProblem problem)
    {
        Assert.Equal(problem, Fails(json).Problem);
    }

    /// <summary>Each way a body can fail, with the problem it is classified as and the words the client reads: what
    /// is wrong and where (the JSON path; "The body", "The Feature" at the top).</summary>
    [Theory]
    [InlineData(" \t\r\n", QueryProblem.NotGeoJson, "The body is empty; send a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection.")]
    [InlineData("{\n  \"type\": x\n}", QueryProblem.NotGeoJson, "The body is not valid JSON (line 2, byte 11 of the line): ")]
    [InlineData("[1]", QueryProblem.NotGeoJson, "The body must be a GeoJSON object, not a JSON array.")]
    [InlineData("""{"a":1}""", QueryProblem.NotGeoJson, "The body is JSON but not GeoJSON: it has no string member \"type\"")]
    [InlineData("""{"type":"FeatureCollection"}""", QueryProblem.NotGeoJson, "The FeatureCollection has no \"features\" array.")]
    [InlineData("""{"type":"FeatureCollection","features":{}}""", QueryProblem.NotGeoJson, "The FeatureCollection's \"features\" must be an array, not a JSON object.")]
    [InlineData("""{"type":"FeatureCollection","features":[1]}""", QueryProblem.NotGeoJson, "features[0] must be a GeoJSON object, not a JSON number.")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":5}]}""", QueryProblem.NotGeoJson, "features[0] is JSON but not GeoJSON")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Polygon","coordinates":[]}]}""", QueryProblem.NotGeoJson, "features[0] has type \"Polygon\"; every member of \"features\" must be a Feature.")]
    [InlineData("""{"type":"Feature"}""", QueryProblem.NotGeoJson, "The Feature has no \"geometry\"; a Polygon or MultiPolygon is required.")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null}]}""", QueryProblem.Empty, "features[0] has a null \"geometry\"; a Polygon or MultiPolygon is required.")]
    [InlineData("""{"type":"Feature","geometry":{"type":"Point","coordinates":[1,2]}}""", QueryProblem.NotPolygonal, "The geometry at geometry is a Point; aggregation needs an area: a Polygon or MultiPolygon (for a point, use GET /v1/aggregate?lat=&lon=&radiusKm=).")]
    [InlineData("""{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"MultiLineString","coordinates":[]}}]}""", QueryProblem.NotPolygonal, "The geometry at features[0].geometry is a MultiLineString;")]
    [InlineData("""{"type":"MultiPoint","coordinates":[]}""", QueryProblem.NotPolygonal, "The geometry is a MultiPoint;")]
    [InlineData("""{"type":"LineString","coordinates":[]}""", QueryProblem.NotPolygonal, "The geometry is a LineString;")]
    [InlineData("""{"type":"GeometryCollection","geometries":[]}""", QueryProblem.NotPolygonal, "The geometry is a GeometryCollection;")]
    [InlineData("""{"type":"Polygon"}""", QueryProblem.NotGeoJson, "The geometry is a Polygon without \"coordinates\".")]
    [InlineData("""{"type":"Circle"}""", QueryProblem.NotGeoJson, "The geometry has type \"Circle\", which is not a GeoJSON type; send a Polygon, MultiPolygon, Feature or FeatureCollection.")]
    [InlineData("""{"type":"Polygon","coordinates":"x"}""", QueryProblem.NotGeoJson, "coordinates must be an array of rings, not a JSON string.")]
    [InlineData("""{"type":"MultiPolygon","coordinates":{}}""", QueryProblem.NotGeoJson, "coordinates must be an array of polygons, not a JSON object.")]
    [InlineData("""{"type":"MultiPolygon","coordinates":[[1]]}""", QueryProblem.NotGeoJson, "coordinates[0][0] must be an array of positions, not a JSON number.")]
    [InlineData("""{"type":"Polygon","coordinates":[[1,2,3,4]]}""", QueryProblem.NotGeoJson, "coordinates[0][0] must be a position [longitude, latitude], not a JSON number.")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,"x"],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "The position at coordinates[0][1] holds a JSON string; positions are arrays of numbers [longitude, latitude].")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,true],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "holds a JSON boolean;")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,null],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "holds a JSON null;")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,[]],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "holds a JSON array;")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,{}],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "holds a JSON object;")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73],[-73,-9],[-74,-10]]]}""", QueryProblem.NotGeoJson, "The position at coordinates[0][1] has 1 numbers; it needs [longitude, latitude].")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-74,-10]]]}""", QueryProblem.NotGeoJson, "The ring at coordinates[0] has 3 positions; a GeoJSON ring needs at least 4 (a triangle and its first position repeated).")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73.5,-10],[-73,-9],[-74,-9.25]]]}""", QueryProblem.NotGeoJson, "The ring at coordinates[0] is not closed: its first position (-74, -10) differs from its last (-74, -9.25); GeoJSON rings repeat the first position at the end.")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[-73,-10],[-73,-91],[-74,-10]]]}""", QueryProblem.CoordinateOutOfRange, "The position at coordinates[0][2] (-73, -91) is outside longitude [-180, 180] / latitude [-90, 90].")]
    [InlineData("""{"type":"Polygon","coordinates":[[[-74,-10],[180.5,-10],[-73,-9],[-74,-10]]]}""", QueryProblem.CoordinateOutOfRange, "The position at coordinates[0][1] (180.5, -10)")]
    public void Each_bad_body_is_classified_and_its_message_says_what_and_where(string json, QueryProblem problem, string message)
    {
        var error = Fails(json);

        Assert.Equal(problem, error.Problem);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_string_that_is_not_unicode_text_is_refused()
    {
        var error = Fails("""{"type":"Polygon","coordinates":[],"name":"\ud800"}""");

        Assert.Equal(QueryProblem.InvalidString, error.Problem);
        Assert.Contains("name", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A Polygon nests four levels (object, coordinates, ring, position): a depth limit of 4 reads it, one of
    /// 3 refuses it at the byte where the fourth level opens.</summary>
    [Fact]
    public void The_depth_limit_admits_exactly_its_depth_and_names_the_byte_past_it()
    {
        var polygon = $$$"""{"type":"Polygon","coordinates":[{{{Ring}}}]}""";

        Assert.Single(Read(polygon, Limits with { MaxDepth = 4 }).Features);
        var error = Fails(polygon, Limits with { MaxDepth = 3 });

        Assert.Equal(QueryProblem.TooDeep, error.Problem);
        Assert.Equal("The body nests JSON more than 3 levels deep (at byte 34); GeoJSON queries need at most 8.", error.Message);
    }

    /// <summary>A Feature whose properties nest to exactly the limit is read, one level more is refused, at every
    /// limit (System.Text.Json's readers stop at 64 levels by default).</summary>
    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void A_body_nested_to_the_depth_limit_is_read_and_one_level_more_is_too_deep_at_any_limit(int maxDepth)
    {
        // Levels: the Feature (1), its properties (2), then arrays.
        string Nested(int levels) =>
            $$$"""{"type":"Feature","properties":{"deep":{{{new string('[', levels - 2)}}}{{{new string(']', levels - 2)}}}},"geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}}""";
        var limits = Limits with { MaxDepth = maxDepth };

        var feature = Assert.Single(Read(Nested(maxDepth), limits).Features);
        Assert.Equal(JsonValueKind.Array, feature.Properties!.Value.GetProperty("deep").ValueKind);
        Assert.Equal(QueryProblem.TooDeep, Fails(Nested(maxDepth + 1), limits).Problem);
    }

    [Fact]
    public void The_limits_are_named_and_a_null_limit_set_is_refused()
    {
        var feature = $$$"""{"type":"Feature","geometry":{"type":"Polygon","coordinates":[{{{Ring}}}]}}""";
        var two = $$$"""{"type":"FeatureCollection","features":[{{{feature}}},{{{feature}}}]}""";

        var features = Fails(two, Limits with { MaxFeatures = 1 });
        var vertices = Fails(two, Limits with { MaxVertices = 9 });

        Assert.Equal(nameof(GeoJsonReadLimits.MaxFeatures), features.Limit);
        Assert.Equal("The FeatureCollection has more than 1 features, the limit; split it into several requests.", features.Message);
        Assert.Equal(nameof(GeoJsonReadLimits.MaxVertices), vertices.Limit);
        Assert.Equal("The query has more than 9 vertices, the limit (exceeded at features[1].geometry.coordinates[0][4]); simplify it or split it into several requests.", vertices.Message);
        Assert.Equal(2, Read(two, Limits with { MaxFeatures = 2 }).Features.Count);
        Assert.Throws<ArgumentNullException>(() => GeoJsonQueryReader.Read("{}"u8, null!));
    }

    /// <summary>Features are read in order with their id and properties (null when absent or null); coordinates on
    /// the edges of the lon/lat range are in range; a Polygon without rings is read as an empty polygon (the
    /// validator refuses it as empty).</summary>
    [Fact]
    public void A_collection_keeps_its_features_in_order_with_their_ids_and_properties()
    {
        var query = Read($$$"""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","id":"a","properties":null,"geometry":{"type":"Polygon","coordinates":[[[-180,-90],[180,-90],[180,90],[-180,-90]]]}},
              {"type":"Feature","id":null,"geometry":{"type":"Polygon","coordinates":[]}},
              {"properties":{"n":2},"geometry":{"coordinates":[{{{Ring}}}],"type":"Polygon"},"type":"Feature"}]}
            """);

        Assert.True(query.IsCollection);
        Assert.Equal(3, query.Features.Count);
        Assert.Equal("a", query.Features[0].Id!.Value.GetString());
        Assert.Null(query.Features[0].Properties);
        Assert.Equal(360 * 180 / 2.0, query.Features[0].Geometry.Area, 1e-9);
        Assert.Null(query.Features[1].Id);
        Assert.Null(query.Features[1].Properties);
        Assert.True(query.Features[1].Geometry.IsEmpty);
        Assert.Null(query.Features[2].Id);
        Assert.Equal(2, query.Features[2].Properties!.Value.GetProperty("n").GetInt32());
        Assert.Equal(1, query.Features[2].Geometry.Area, 1e-12);
    }
}
