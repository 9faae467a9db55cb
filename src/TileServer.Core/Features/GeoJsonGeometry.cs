using System.Text.Json;
using NetTopologySuite.Geometries;

namespace TileServer.Core.Features;

/// <summary>
/// Writes an NTS geometry as a GeoJSON geometry object (RFC 7946, 3.1) with each coordinate mapped into the output
/// CRS and rounded to its <see cref="FeatureCrs.Decimals"/>, straight into a <see cref="Utf8JsonWriter"/>: no
/// intermediate objects per coordinate. The GeoJSON4STJ converter cannot reproject, swap axes or round.
/// </summary>
/// <remarks>Thread safety: stateless; the mapper passed in belongs to the caller.</remarks>
public static class GeoJsonGeometry
{
    /// <summary>
    /// The writer options of every JSON answer of the features door: non-ASCII letters (ASUNCIÓN) and <c>+</c>/<c>&amp;</c>
    /// in URLs written as themselves, not as <c>\u</c> escapes (the answers are JSON documents, never embedded in HTML).
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static void Write(Utf8JsonWriter json, Geometry geometry, CoordinateMapper mapper, int decimals)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(geometry);
        json.WriteStartObject();
        json.WriteString("type", geometry.GeometryType);
        if (geometry is GeometryCollection and not (MultiPoint or MultiLineString or MultiPolygon))
        {
            json.WriteStartArray("geometries");
            for (var i = 0; i < geometry.NumGeometries; i++)
            {
                Write(json, geometry.GetGeometryN(i), mapper, decimals);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            return;
        }

        json.WritePropertyName("coordinates");
        switch (geometry)
        {
            case Point point:
                if (point.IsEmpty)
                {
                    json.WriteStartArray();
                    json.WriteEndArray();
                }
                else
                {
                    Position(json, point.CoordinateSequence, 0, mapper, decimals);
                }

                break;
            case LineString line:
                Sequence(json, line.CoordinateSequence, mapper, decimals);
                break;
            case Polygon polygon:
                Rings(json, polygon, mapper, decimals);
                break;
            default:
                json.WriteStartArray();
                for (var i = 0; i < geometry.NumGeometries; i++)
                {
                    switch (geometry.GetGeometryN(i))
                    {
                        case Point p:
                            Position(json, p.CoordinateSequence, 0, mapper, decimals);
                            break;
                        case LineString l:
                            Sequence(json, l.CoordinateSequence, mapper, decimals);
                            break;
                        case Polygon p:
                            Rings(json, p, mapper, decimals);
                            break;
                    }
                }

                json.WriteEndArray();
                break;
        }

        json.WriteEndObject();
    }

    private static void Rings(Utf8JsonWriter json, Polygon polygon, CoordinateMapper mapper, int decimals)
    {
        json.WriteStartArray();
        if (!polygon.IsEmpty)
        {
            Sequence(json, polygon.ExteriorRing.CoordinateSequence, mapper, decimals);
            for (var h = 0; h < polygon.NumInteriorRings; h++)
            {
                Sequence(json, polygon.GetInteriorRingN(h).CoordinateSequence, mapper, decimals);
            }
        }

        json.WriteEndArray();
    }

    private static void Sequence(Utf8JsonWriter json, CoordinateSequence sequence, CoordinateMapper mapper, int decimals)
    {
        json.WriteStartArray();
        for (var i = 0; i < sequence.Count; i++)
        {
            Position(json, sequence, i, mapper, decimals);
        }

        json.WriteEndArray();
    }

    private static void Position(Utf8JsonWriter json, CoordinateSequence sequence, int i, CoordinateMapper mapper, int decimals)
    {
        var x = sequence.GetX(i);
        var y = sequence.GetY(i);
        mapper.Map(ref x, ref y);
        json.WriteStartArray();
        json.WriteNumberValue(Math.Round(x, decimals));
        json.WriteNumberValue(Math.Round(y, decimals));
        json.WriteEndArray();
    }
}
