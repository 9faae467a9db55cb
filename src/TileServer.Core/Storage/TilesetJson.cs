using System.Text.Json;
using TileServer.Core.Tiles;

namespace TileServer.Core.Storage;

/// <summary>
/// The tileset's JSON metadata: TileJSON 3.0's <c>vector_layers</c> (id, description, minzoom, maxzoom, fields),
/// which MBTiles 1.3 keeps in its <c>json</c> metadata row and PMTiles v3 in its JSON metadata section.
/// </summary>
internal static class TilesetJson
{
    /// <summary>
    /// A JSON object: the descriptive keys (<c>name</c>, <c>description</c>, <c>attribution</c>, <c>version</c>,
    /// <c>type</c>) when <paramref name="withDescription"/>, then <c>vector_layers</c>.
    /// </summary>
    public static byte[] Write(TilesetInfo info, bool withDescription)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (withDescription)
            {
                json.WriteString("name", info.Name);
                json.WriteString("description", info.Description);
                json.WriteString("attribution", info.Attribution);
                json.WriteString("version", info.Version);
                json.WriteString("type", "overlay");
            }

            json.WriteStartArray("vector_layers");
            foreach (var layer in info.VectorLayers)
            {
                json.WriteStartObject();
                json.WriteString("id", layer.Id);
                json.WriteString("description", layer.Description);
                json.WriteNumber("minzoom", layer.MinZoom);
                json.WriteNumber("maxzoom", layer.MaxZoom);
                json.WriteStartObject("fields");
                foreach (var (field, type) in layer.Fields)
                {
                    json.WriteString(field, type);
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The <c>vector_layers</c> of a metadata object; empty when it has none.</summary>
    /// <exception cref="JsonException">The JSON is malformed or a layer lacks its <c>id</c>.</exception>
    public static IReadOnlyList<VectorLayerInfo> ReadVectorLayers(JsonElement root, int defaultMinZoom, int defaultMaxZoom)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("vector_layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var result = new List<VectorLayerInfo>(layers.GetArrayLength());
        foreach (var layer in layers.EnumerateArray())
        {
            var id = layer.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String
                ? idElement.GetString()!
                : throw new JsonException("a vector_layers entry has no string \"id\"");
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            if (layer.TryGetProperty("fields", out var fieldsElement) && fieldsElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fieldsElement.EnumerateObject())
                {
                    fields[field.Name] = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
                }
            }

            result.Add(new VectorLayerInfo(
                id,
                String(layer, "description") ?? "",
                Int(layer, "minzoom") ?? defaultMinZoom,
                Int(layer, "maxzoom") ?? defaultMaxZoom,
                fields));
        }

        return result;
    }

    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : null;
}
