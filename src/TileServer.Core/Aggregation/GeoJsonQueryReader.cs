using System.Globalization;
using System.Text.Json;
using NetTopologySuite.Geometries;
using TileServer.Core.Json;

namespace TileServer.Core.Aggregation;

/// <summary>Limits applied while reading a GeoJSON query body. Immutable.</summary>
public sealed record GeoJsonReadLimits
{
    /// <summary>Deepest JSON nesting allowed (a MultiPolygon Feature inside a FeatureCollection needs 8).</summary>
    public int MaxDepth { get; init; } = 16;

    /// <summary>Most positions in the whole body (all features, all rings).</summary>
    public int MaxVertices { get; init; } = 100_000;

    /// <summary>Most features in a FeatureCollection.</summary>
    public int MaxFeatures { get; init; } = 1_000;
}

/// <summary>One query area read from a GeoJSON body: its polygonal geometry (WGS 84 lon/lat), and the feature's
/// <c>id</c> and <c>properties</c> to echo back (null for a bare geometry, or when the feature has none).</summary>
public sealed record GeoJsonQueryFeature(Geometry Geometry, JsonElement? Id, JsonElement? Properties);

/// <summary>The query areas of a GeoJSON body: one for a Polygon, MultiPolygon or Feature; one per feature, in order,
/// for a FeatureCollection (<see cref="IsCollection"/>).</summary>
public sealed record GeoJsonQuery(bool IsCollection, IReadOnlyList<GeoJsonQueryFeature> Features);

/// <summary>
/// Reads an aggregation query from a UTF-8 GeoJSON body (RFC 7946): a Polygon, MultiPolygon, Feature or
/// FeatureCollection, with <see cref="Utf8JsonReader"/> (forward-only, no document tree), enforcing
/// <see cref="GeoJsonReadLimits"/> before any geometry is built.
/// </summary>
/// <remarks>
/// <para>Two passes over the bytes. The first only tokenises: it rejects malformed JSON (naming line and byte),
/// nesting deeper than <see cref="GeoJsonReadLimits.MaxDepth"/> and strings that are not Unicode text (bytes that are
/// not UTF-8, lone surrogate escapes: <see cref="JsonStringCheck"/>, naming the JSON path), so a hostile body costs one
/// linear scan and next to no allocation. The second reads the structure; members may come in any order (RFC 7946 does not fix one), so each
/// object's <c>type</c> is read first and its <c>coordinates</c>, <c>geometry</c> or <c>features</c> are read
/// afterwards from their remembered offsets. Positions are counted against
/// <see cref="GeoJsonReadLimits.MaxVertices"/> and checked for lon/lat range as they are read, before a ring is
/// built; rings must have at least four positions and be closed. Every error is an
/// <see cref="InvalidQueryException"/> whose message names the JSON path (e.g.
/// <c>features[2].geometry.coordinates[0][5]</c>). Ring validity (self-intersection) is left to
/// <see cref="QueryValidator"/>.</para>
/// <para>Thread safety: stateless.</para>
/// </remarks>
public static class GeoJsonQueryReader
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    // The second pass reads a body whose depth the first pass held to the configured limit, which may exceed
    // System.Text.Json's default of 64 levels: its readers must not refuse what the limit admits.
    private static readonly JsonReaderOptions CheckedDepth = new() { MaxDepth = int.MaxValue };

    /// <summary>Reads the query areas of a GeoJSON body.</summary>
    /// <exception cref="InvalidQueryException">The body is not usable GeoJSON; the message says why and where.</exception>
    public static GeoJsonQuery Read(ReadOnlySpan<byte> utf8, GeoJsonReadLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        CheckSyntaxAndDepth(utf8, limits.MaxDepth);
        var context = new ReadContext(limits);
        var root = Members(utf8, 0, "the body");
        switch (root.Type)
        {
            case "FeatureCollection":
                return new GeoJsonQuery(true, ReadFeatures(utf8, root, context));
            case "Feature":
                return new GeoJsonQuery(false, [ReadFeature(utf8, root, "the Feature", context)]);
            default:
                return new GeoJsonQuery(false, [new GeoJsonQueryFeature(ReadGeometry(utf8, root, string.Empty, context), null, null)]);
        }
    }

    private static void CheckSyntaxAndDepth(ReadOnlySpan<byte> utf8, int maxDepth)
    {
        if (utf8.Trim((ReadOnlySpan<byte>)[0x20, 0x09, 0x0A, 0x0D]).IsEmpty)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson, "The body is empty; send a GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection.");
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        var strings = new JsonStringCheck();
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth + 1 > maxDepth)
                {
                    throw new InvalidQueryException(QueryProblem.TooDeep,
                        $"The body nests JSON more than {maxDepth} levels deep (at byte {reader.TokenStartIndex}); GeoJSON queries need at most 8.");
                }

                strings.Visit(ref reader);
            }
        }
        catch (JsonException e)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson,
                $"The body is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line): {FirstSentence(e.Message)}");
        }
        catch (InvalidJsonStringException e)
        {
            throw new InvalidQueryException(QueryProblem.InvalidString, e.Message);
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).Trim();
    }

    /// <summary>The members of the object at <paramref name="offset"/> this reader cares about, by offset.</summary>
    private static ObjectMembers Members(ReadOnlySpan<byte> utf8, int offset, string path)
    {
        var reader = new Utf8JsonReader(utf8[offset..], CheckedDepth);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson,
                $"{Capitalised(path)} must be a GeoJSON object, not a JSON {Describe(reader.TokenType)}.");
        }

        var members = new ObjectMembers();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            var at = offset + (int)reader.TokenStartIndex;
            var isNull = reader.TokenType == JsonTokenType.Null;
            switch (name)
            {
                case "type":
                    members.Type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    break;
                case "coordinates":
                    members.Coordinates = at;
                    break;
                case "geometry":
                    members.Geometry = isNull ? -2 : at;
                    break;
                case "features":
                    members.Features = at;
                    break;
                case "id":
                    members.Id = isNull ? -1 : at;
                    break;
                case "properties":
                    members.Properties = isNull ? -1 : at;
                    break;
                default:
                    break;
            }

            reader.Skip();
        }

        if (members.Type is null)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson,
                $"{Capitalised(path)} is JSON but not GeoJSON: it has no string member \"type\" (Polygon, MultiPolygon, Feature or FeatureCollection).");
        }

        return members;
    }

    private static List<GeoJsonQueryFeature> ReadFeatures(ReadOnlySpan<byte> utf8, ObjectMembers collection, ReadContext context)
    {
        if (collection.Features < 0)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson, "The FeatureCollection has no \"features\" array.");
        }

        var reader = new Utf8JsonReader(utf8[collection.Features..], CheckedDepth);
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson, $"The FeatureCollection's \"features\" must be an array, not a JSON {Describe(reader.TokenType)}.");
        }

        var features = new List<GeoJsonQueryFeature>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var index = features.Count;
            if (index >= context.Limits.MaxFeatures)
            {
                throw new InvalidQueryException(QueryProblem.TooManyFeatures, nameof(GeoJsonReadLimits.MaxFeatures),
                    $"The FeatureCollection has more than {context.Limits.MaxFeatures} features, the limit; split it into several requests.");
            }

            var path = $"features[{index}]";
            var members = Members(utf8, collection.Features + (int)reader.TokenStartIndex, path);
            if (members.Type != "Feature")
            {
                throw new InvalidQueryException(QueryProblem.NotGeoJson, $"{path} has type \"{members.Type}\"; every member of \"features\" must be a Feature.");
            }

            features.Add(ReadFeature(utf8, members, path, context));
            reader.Skip();
        }

        return features;
    }

    private static GeoJsonQueryFeature ReadFeature(ReadOnlySpan<byte> utf8, ObjectMembers feature, string path, ReadContext context)
    {
        if (feature.Geometry < 0)
        {
            throw new InvalidQueryException(feature.Geometry == -2 ? QueryProblem.Empty : QueryProblem.NotGeoJson,
                $"{Capitalised(path)} has {(feature.Geometry == -2 ? "a null" : "no")} \"geometry\"; a Polygon or MultiPolygon is required.");
        }

        var geometryPath = path == "the Feature" ? "geometry" : $"{path}.geometry";
        var geometry = ReadGeometry(utf8, Members(utf8, feature.Geometry, geometryPath), geometryPath, context);
        return new GeoJsonQueryFeature(geometry, Element(utf8, feature.Id), Element(utf8, feature.Properties));
    }

    private static JsonElement? Element(ReadOnlySpan<byte> utf8, int offset)
    {
        if (offset < 0)
        {
            return null;
        }

        var reader = new Utf8JsonReader(utf8[offset..], CheckedDepth);
        return JsonElement.ParseValue(ref reader);
    }

    private static Geometry ReadGeometry(ReadOnlySpan<byte> utf8, ObjectMembers geometry, string path, ReadContext context)
    {
        var where = path.Length == 0 ? "The geometry" : $"The geometry at {path}";
        var coordinatesPath = path.Length == 0 ? "coordinates" : $"{path}.coordinates";
        switch (geometry.Type)
        {
            case "Polygon" or "MultiPolygon":
                if (geometry.Coordinates < 0)
                {
                    throw new InvalidQueryException(QueryProblem.NotGeoJson, $"{where} is a {geometry.Type} without \"coordinates\".");
                }

                var reader = new Utf8JsonReader(utf8[geometry.Coordinates..], CheckedDepth);
                reader.Read();
                return geometry.Type == "Polygon"
                    ? ReadPolygon(ref reader, coordinatesPath, context)
                    : ReadMultiPolygon(ref reader, coordinatesPath, context);
            case "Point" or "MultiPoint" or "LineString" or "MultiLineString" or "GeometryCollection":
                throw new InvalidQueryException(QueryProblem.NotPolygonal,
                    $"{where} is a {geometry.Type}; aggregation needs an area: a Polygon or MultiPolygon (for a point, use GET /v1/aggregate?lat=&lon=&radiusKm=).");
            default:
                throw new InvalidQueryException(QueryProblem.NotGeoJson,
                    $"{where} has type \"{geometry.Type}\", which is not a GeoJSON type; send a Polygon, MultiPolygon, Feature or FeatureCollection.");
        }
    }

    private static MultiPolygon ReadMultiPolygon(ref Utf8JsonReader reader, string path, ReadContext context)
    {
        ExpectArray(ref reader, path, "an array of polygons");
        var polygons = new List<Polygon>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            polygons.Add(ReadPolygon(ref reader, $"{path}[{polygons.Count}]", context));
        }

        return Factory.CreateMultiPolygon([.. polygons]);
    }

    private static Polygon ReadPolygon(ref Utf8JsonReader reader, string path, ReadContext context)
    {
        ExpectArray(ref reader, path, "an array of rings");
        var rings = new List<LinearRing>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            rings.Add(ReadRing(ref reader, $"{path}[{rings.Count}]", context));
        }

        return rings.Count == 0 ? Factory.CreatePolygon() : Factory.CreatePolygon(rings[0], [.. rings.Skip(1)]);
    }

    private static LinearRing ReadRing(ref Utf8JsonReader reader, string path, ReadContext context)
    {
        ExpectArray(ref reader, path, "an array of positions");
        var positions = new List<Coordinate>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (++context.Vertices > context.Limits.MaxVertices)
            {
                throw new InvalidQueryException(QueryProblem.TooManyVertices, nameof(GeoJsonReadLimits.MaxVertices),
                    $"The query has more than {context.Limits.MaxVertices} vertices, the limit (exceeded at {path}[{positions.Count}]); simplify it or split it into several requests.");
            }

            positions.Add(ReadPosition(ref reader, path, positions.Count));
        }

        if (positions.Count < 4)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson,
                $"The ring at {path} has {positions.Count} positions; a GeoJSON ring needs at least 4 (a triangle and its first position repeated).");
        }

        if (!positions[0].Equals2D(positions[^1]))
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson,
                $"The ring at {path} is not closed: its first position ({Format(positions[0])}) differs from its last ({Format(positions[^1])}); GeoJSON rings repeat the first position at the end.");
        }

        return Factory.CreateLinearRing([.. positions]);
    }

    /// <summary>Reads position <paramref name="index"/> of the ring at <paramref name="ringPath"/>; the position's
    /// own path is only formatted for an error, since this runs once per vertex.</summary>
    private static Coordinate ReadPosition(ref Utf8JsonReader reader, string ringPath, int index)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            ExpectArray(ref reader, $"{ringPath}[{index}]", "a position [longitude, latitude]");
        }

        Span<double> values = stackalloc double[2];
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var value))
            {
                throw new InvalidQueryException(QueryProblem.NotGeoJson,
                    $"The position at {ringPath}[{index}] holds a JSON {Describe(reader.TokenType)}; positions are arrays of numbers [longitude, latitude].");
            }

            if (count < 2)
            {
                values[count] = value;
            }

            count++;
        }

        if (count < 2)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson, $"The position at {ringPath}[{index}] has {count} numbers; it needs [longitude, latitude].");
        }

        if (!double.IsFinite(values[0]) || !double.IsFinite(values[1]) || Math.Abs(values[0]) > 180 || Math.Abs(values[1]) > 90)
        {
            QueryValidator.CheckLonLat(values[0], values[1], $"position at {ringPath}[{index}]");
        }

        return new Coordinate(values[0], values[1]);
    }

    private static void ExpectArray(ref Utf8JsonReader reader, string path, string what)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidQueryException(QueryProblem.NotGeoJson, $"{path} must be {what}, not a JSON {Describe(reader.TokenType)}.");
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary>"the body" starts a sentence as "The body"; a JSON path such as <c>features[0]</c> stays as it is.</summary>
    private static string Capitalised(string text) => text.StartsWith("the ", StringComparison.Ordinal) ? "T" + text[1..] : text;

    private static string Format(Coordinate c) =>
        $"{c.X.ToString("R", CultureInfo.InvariantCulture)}, {c.Y.ToString("R", CultureInfo.InvariantCulture)}";

    /// <summary>Offsets of an object's members within the body; -1 when absent (-2: <c>geometry</c> is null).</summary>
    private struct ObjectMembers()
    {
        public string? Type;
        public int Coordinates = -1;
        public int Geometry = -1;
        public int Features = -1;
        public int Id = -1;
        public int Properties = -1;
    }

    private sealed class ReadContext(GeoJsonReadLimits limits)
    {
        public GeoJsonReadLimits Limits { get; } = limits;

        public int Vertices { get; set; }
    }
}
