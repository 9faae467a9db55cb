using System.Text.Json;

namespace TileServer.Core.Ingest;

/// <summary>
/// Checks the structure of a GeoJSON Feature's geometry (RFC 7946) before NetTopologySuite.IO.GeoJSON4STJ builds it,
/// so that what the library would fail on with a message naming nothing (<c>Requested value 'Blob' was not
/// found.</c>, an unclosed ring from deep in NTS) is reported naming the feature, the ring and the rule, and so that
/// the vertices are counted against <see cref="LoadLimits.MaxVerticesPerUnit"/> before anything is built.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
internal static class GeoJsonShape
{
    /// <summary>Deepest nesting accepted: a MultiPolygon's positions sit at depth 7 in a FeatureCollection; 64 is STJ's default.</summary>
    public const int MaxDepth = 64;

    public static bool HasType(JsonElement element, string type) =>
        element.TryGetProperty("type", out var value) && value.ValueKind == JsonValueKind.String && value.ValueEquals(type);

    /// <summary>Checks one element of <c>features</c>: an object of type Feature whose geometry is null, a Polygon or a MultiPolygon of valid rings.</summary>
    public static void CheckFeature(string path, JsonElement feature, string record, LoadLimits limits)
    {
        if (feature.ValueKind != JsonValueKind.Object || !HasType(feature, "Feature"))
        {
            throw new DataFileException(path, $"{record}: not a GeoJSON Feature (an object with \"type\": \"Feature\")");
        }

        if (feature.TryGetProperty("properties", out var properties) && properties.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            throw new DataFileException(path, $"{record}: \"properties\" is a {properties.ValueKind}; it must be an object or null");
        }

        if (!feature.TryGetProperty("geometry", out var geometry) || geometry.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (geometry.ValueKind != JsonValueKind.Object || !geometry.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
        {
            throw new DataFileException(path, $"{record}: the geometry is not an object with a \"type\"");
        }

        var type = typeElement.GetString()!;
        var depth = type switch
        {
            "Polygon" => 1,
            "MultiPolygon" => 2,
            "Point" or "MultiPoint" or "LineString" or "MultiLineString" or "GeometryCollection" =>
                throw new DataFileException(path, $"{record} is a {type}; a district layer must be polygons"),
            _ => throw new DataFileException(path, $"{record}: unknown geometry type '{DataFileException.Excerpt(type)}' (expected Polygon or MultiPolygon)"),
        };
        if (!geometry.TryGetProperty("coordinates", out var coordinates) || coordinates.ValueKind != JsonValueKind.Array)
        {
            throw new DataFileException(path, $"{record}: the {type} has no \"coordinates\" array");
        }

        var vertices = 0L;
        if (depth == 1)
        {
            CheckPolygon(path, record, coordinates, 0, ref vertices, limits);
        }
        else
        {
            var polygon = 0;
            foreach (var rings in coordinates.EnumerateArray())
            {
                polygon++;
                if (rings.ValueKind != JsonValueKind.Array)
                {
                    throw new DataFileException(path, $"{record}: polygon {polygon} of the MultiPolygon is not an array of rings");
                }

                CheckPolygon(path, record, rings, polygon, ref vertices, limits);
            }
        }
    }

    private static void CheckPolygon(string path, string record, JsonElement rings, int polygon, ref long vertices, LoadLimits limits)
    {
        var ring = 0;
        foreach (var positions in rings.EnumerateArray())
        {
            ring++;
            var where = polygon == 0 ? $"ring {ring}" : $"polygon {polygon}, ring {ring}";
            if (positions.ValueKind != JsonValueKind.Array)
            {
                throw new DataFileException(path, $"{record}, {where}: not an array of positions");
            }

            var count = positions.GetArrayLength();
            vertices += count;
            if (vertices > limits.MaxVerticesPerUnit)
            {
                throw new DataFileException(path, $"{record}: more than {limits.MaxVerticesPerUnit:N0} vertices, over Dataset:MaxVerticesPerUnit");
            }

            if (count < 4)
            {
                throw new DataFileException(path, $"{record}, {where}: {count} positions; a ring needs at least 4 (RFC 7946 3.1.6)");
            }

            double firstX = 0, firstY = 0, x = 0, y = 0;
            var index = 0;
            foreach (var position in positions.EnumerateArray())
            {
                index++;
                if (position.ValueKind != JsonValueKind.Array || position.GetArrayLength() < 2)
                {
                    throw new DataFileException(path, $"{record}, {where}, position {index}: not an array of at least two numbers");
                }

                (x, y) = (Ordinate(path, record, where, index, position[0]), Ordinate(path, record, where, index, position[1]));
                for (var extra = 2; extra < position.GetArrayLength(); extra++)
                {
                    Ordinate(path, record, where, index, position[extra]);
                }

                if (index == 1)
                {
                    (firstX, firstY) = (x, y);
                }
            }

            if (x != firstX || y != firstY)
            {
                throw new DataFileException(path, $"{record}, {where}: not closed (the first position is {firstX} {firstY}, the last {x} {y}; RFC 7946 3.1.6)");
            }
        }
    }

    private static double Ordinate(string path, string record, string where, int index, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw new DataFileException(path, $"{record}, {where}, position {index}: '{DataFileException.Excerpt(value.GetRawText())}' is not a finite number");
}
