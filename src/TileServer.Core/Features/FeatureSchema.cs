using System.Text.Json;

namespace TileServer.Core.Features;

/// <summary>
/// The JSON Schema (draft 2020-12) of a collection's features: its queryables (OGC API - Features Part 3, 6.2) or its
/// schema (Part 5 draft, <c>x-ogc-role</c> marking the id and the primary geometry). Each property has its type and
/// title; estimates also their meaning (<c>description</c>) and unit (<c>x-ogc-unit</c>) where known. Values may be
/// null (missing estimates); the type names the non-null type, which is what QGIS and GDAL read.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class FeatureSchema
{
    public static void Write(Utf8JsonWriter json, FeatureSet set, string schemaId, bool queryables)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(set);
        json.WriteStartObject();
        json.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
        json.WriteString("$id", schemaId);
        json.WriteString("type", "object");
        json.WriteString("title", set.Title);
        json.WriteString("description", set.Description);
        json.WriteStartObject("properties");
        json.WriteStartObject(FeatureFilter.GeometryProperty);
        json.WriteString("title", "Geometry");
        json.WriteString("description", "The served (cleaned) geometry, in CRS84 unless crs/filter-crs say otherwise.");
        json.WriteString("format", "geometry-multipolygon");
        if (!queryables)
        {
            json.WriteString("x-ogc-role", "primary-geometry");
        }

        json.WriteEndObject();
        foreach (var property in set.Properties)
        {
            json.WriteStartObject(property.Name);
            json.WriteString("title", property.Title);
            if (property.Description is not null)
            {
                json.WriteString("description", property.Description);
            }

            json.WriteString("type", property.Type switch
            {
                FeaturePropertyType.Number => "number",
                FeaturePropertyType.Integer => "integer",
                FeaturePropertyType.Boolean => "boolean",
                _ => "string",
            });
            if (property.Unit is not null)
            {
                json.WriteString("x-ogc-unit", property.Unit);
            }

            if (!queryables && property.Name == "code")
            {
                json.WriteString("x-ogc-role", "id");
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteBoolean("additionalProperties", !queryables);
        json.WriteEndObject();
    }
}
