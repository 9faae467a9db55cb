using System.Text;
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
}
