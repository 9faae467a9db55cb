using System.Text;
using System.Text.Json;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using TileServer.Core.Json;

namespace TileServer.Core.Features.Cql2;

/// <summary>
/// Parses CQL2 JSON (OGC 21-065r2, clause 9 and its JSON Schema <c>cql2.json</c>) into the same <see cref="CqlNode"/>s
/// as <see cref="Cql2TextParser"/>: <c>{"op": .., "args": [..]}</c> for operators and functions,
/// <c>{"property": ..}</c>, JSON strings, numbers and booleans as literals, GeoJSON geometries and
/// <c>{"bbox": [..]}</c> as spatial literals. Errors name the JSON Pointer of the offending member.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class Cql2JsonParser
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory(CqlGeometry.Factory) } };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = Cql2TextParser.MaxDepth * 2 };

    /// <exception cref="CqlException">The text is not a CQL2 JSON boolean expression; the message names the JSON Pointer.</exception>
    public static CqlNode Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var utf8 = Encoding.UTF8.GetBytes(json);
        try
        {
            JsonStringCheck.Validate(utf8, DocumentOptions.MaxDepth);
        }
        catch (InvalidJsonStringException e)
        {
            throw new CqlException(e.Message.TrimEnd('.'), CqlLocation.AtPointer(e.Pointer));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new CqlException($"not JSON: {e.Message}", CqlLocation.AtPointer(""));
        }

        using (document)
        {
            return Node(document.RootElement, "");
        }
    }

    private static CqlNode Node(JsonElement element, string pointer)
    {
        var location = CqlLocation.AtPointer(pointer);
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return new CqlLiteral(element.GetString()!, location);
            case JsonValueKind.Number:
                return new CqlLiteral(element.GetDouble(), location);
            case JsonValueKind.True or JsonValueKind.False:
                return new CqlLiteral(element.GetBoolean(), location);
            case JsonValueKind.Array:
                throw new CqlException("an array is only allowed as the list of 'in'", location);
            case JsonValueKind.Object:
                break;
            default:
                throw new CqlException($"unexpected JSON {element.ValueKind.ToString().ToLowerInvariant()}", location);
        }

        if (element.TryGetProperty("op", out var op))
        {
            return Operation(element, op, pointer);
        }

        if (element.TryGetProperty("property", out var property))
        {
            return property.ValueKind == JsonValueKind.String && property.GetString() is { Length: > 0 } name
                ? new CqlProperty(name, location)
                : throw new CqlException("'property' must be a non-empty string", CqlLocation.AtPointer(pointer + "/property"));
        }

        if (element.TryGetProperty("bbox", out var bbox))
        {
            return new CqlGeometry(Bbox(bbox, pointer + "/bbox"), location);
        }

        if (element.TryGetProperty("type", out _))
        {
            try
            {
                var geometry = element.Deserialize<Geometry>(GeoJson);
                return geometry is not null
                    ? new CqlGeometry(geometry, location)
                    : throw new CqlException("invalid GeoJSON geometry", location);
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                throw new CqlException($"invalid GeoJSON geometry: {e.Message}", location);
            }
        }

        foreach (var temporal in (ReadOnlySpan<string>)["date", "timestamp", "interval"])
        {
            if (element.TryGetProperty(temporal, out _))
            {
                throw new CqlException($"temporal literals ({temporal}) are not supported: the collections carry no time", location);
            }
        }

        throw new CqlException("expected an object with 'op', 'property', 'bbox' or a GeoJSON 'type'", location);
    }

    private static CqlNode Operation(JsonElement element, JsonElement op, string pointer)
    {
        var location = CqlLocation.AtPointer(pointer);
        if (op.ValueKind != JsonValueKind.String || op.GetString() is not { Length: > 0 } name)
        {
            throw new CqlException("'op' must be a non-empty string", CqlLocation.AtPointer(pointer + "/op"));
        }

        if (!element.TryGetProperty("args", out var argsElement) || argsElement.ValueKind != JsonValueKind.Array)
        {
            throw new CqlException($"'{name}' needs an 'args' array", location);
        }

        var argsPointer = pointer + "/args";
        var count = argsElement.GetArrayLength();
        CqlNode Arg(int i) => Node(argsElement[i], $"{argsPointer}/{i}");
        void Arity(int expected)
        {
            if (count != expected)
            {
                throw new CqlException($"'{name}' takes {expected} argument{(expected == 1 ? "" : "s")}, got {count}", CqlLocation.AtPointer(argsPointer));
            }
        }

        switch (name.ToLowerInvariant())
        {
            case "and" or "or":
                if (count < 2)
                {
                    throw new CqlException($"'{name}' takes at least 2 arguments, got {count}", CqlLocation.AtPointer(argsPointer));
                }

                var operands = Enumerable.Range(0, count).Select(Arg).ToList();
                return name.Equals("and", StringComparison.OrdinalIgnoreCase) ? new CqlAnd(operands, location) : new CqlOr(operands, location);
            case "not":
                Arity(1);
                return new CqlNot(Arg(0), location);
            case "=" or "<>" or "<" or "<=" or ">" or ">=":
                Arity(2);
                return new CqlComparison(CqlComparisonOperators.Parse(name)!.Value, Arg(0), Arg(1), location);
            case "like":
                Arity(2);
                return new CqlLike(Arg(0), Arg(1), location);
            case "between":
                Arity(3);
                return new CqlBetween(Arg(0), Arg(1), Arg(2), location);
            case "in":
                Arity(2);
                var list = argsElement[1];
                if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
                {
                    throw new CqlException("the second argument of 'in' must be a non-empty array", CqlLocation.AtPointer(argsPointer + "/1"));
                }

                return new CqlIn(Arg(0), [.. Enumerable.Range(0, list.GetArrayLength()).Select(i => Node(list[i], $"{argsPointer}/1/{i}"))], location);
            case "isnull":
                Arity(1);
                return new CqlIsNull(Arg(0), location);
            default:
                return new CqlFunction(name.ToLowerInvariant(), [.. Enumerable.Range(0, count).Select(Arg)], location);
        }
    }

    private static Geometry Bbox(JsonElement bbox, string pointer)
    {
        var location = CqlLocation.AtPointer(pointer);
        if (bbox.ValueKind != JsonValueKind.Array || bbox.GetArrayLength() is not (4 or 6)
            || bbox.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
        {
            throw new CqlException("'bbox' must be an array of 4 or 6 numbers", location);
        }

        var values = bbox.EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var half = values.Length / 2;
        var (x1, y1, x2, y2) = (values[0], values[1], values[half], values[half + 1]);
        return x1 <= x2 && y1 <= y2
            ? CqlGeometry.Factory.ToGeometry(new Envelope(x1, x2, y1, y2))
            : throw new CqlException("'bbox' minimum exceeds its maximum (give the lower corner first)", location);
    }
}
