using System.IO.Pipelines;
using System.Text.Json;

namespace TileServer.Core.Features;

/// <summary>A web link (RFC 8288) as OGC API documents list them.</summary>
public sealed record FeatureLink(string Href, string Rel, string Type, string? Title = null);

/// <summary>
/// Writes features as GeoJSON (RFC 7946) the way OGC API - Features Part 1 serves them: a FeatureCollection with
/// <c>numberMatched</c>, <c>numberReturned</c>, <c>timeStamp</c> and <c>links</c>, or one Feature. The collection is
/// streamed: each feature is written to the pipe and flushed every <see cref="FlushBytes"/>, so memory stays bounded
/// whatever the page size and the client receives the first bytes at once. In the common case (CRS84, cleaned
/// geometry, all properties) a feature is two copies of bytes serialized at load (<see cref="FeatureSet"/>).
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class GeoJsonFeatureWriter
{
    public const int FlushBytes = 64 * 1024;

    public static async Task WriteCollectionAsync(PipeWriter output, FeatureQuery query, ArraySegment<int> page, int numberMatched,
        IReadOnlyList<FeatureLink> links, DateTimeOffset timeStamp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(links);
        await using var json = new Utf8JsonWriter(output, GeoJsonGeometry.WriterOptions);
        json.WriteStartObject();
        json.WriteString("type", "FeatureCollection");
        json.WriteNumber("numberMatched", numberMatched);
        json.WriteNumber("numberReturned", page.Count);
        json.WriteString("timeStamp", timeStamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        WriteLinks(json, links);
        json.WriteStartArray("features");
        var mapper = query.Crs.FromLonLat();
        foreach (var feature in page)
        {
            WriteFeature(json, query, feature, mapper);
            if (json.BytesPending >= FlushBytes)
            {
                json.Flush();
                var result = await output.FlushAsync(cancellationToken);
                if (result.IsCanceled || result.IsCompleted)
                {
                    return;
                }
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>One feature as a GeoJSON Feature object with its own <paramref name="links"/>.</summary>
    public static async Task WriteFeatureAsync(PipeWriter output, FeatureQuery query, int feature, IReadOnlyList<FeatureLink> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(query);
        await using var json = new Utf8JsonWriter(output, GeoJsonGeometry.WriterOptions);
        WriteFeature(json, query, feature, query.Crs.FromLonLat(), links);
        json.Flush();
        await output.FlushAsync(cancellationToken);
    }

    public static void WriteLinks(Utf8JsonWriter json, IReadOnlyList<FeatureLink> links)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(links);
        json.WriteStartArray("links");
        foreach (var link in links)
        {
            json.WriteStartObject();
            json.WriteString("href", link.Href);
            json.WriteString("rel", link.Rel);
            json.WriteString("type", link.Type);
            if (link.Title is not null)
            {
                json.WriteString("title", link.Title);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteFeature(Utf8JsonWriter json, FeatureQuery query, int feature, CoordinateMapper mapper, IReadOnlyList<FeatureLink>? links = null)
    {
        var set = query.Set;
        json.WriteStartObject();
        json.WriteString("type", "Feature");
        json.WriteString("id", set.Code(feature));
        json.WritePropertyName("geometry");
        if (query.SkipGeometry)
        {
            json.WriteNullValue();
        }
        else if (mapper.IsIdentity && !query.SourceGeometry)
        {
            json.WriteRawValue(set.GeometryJson(feature), skipInputValidation: true);
        }
        else
        {
            GeoJsonGeometry.Write(json, query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature), mapper, query.Crs.Decimals);
        }

        json.WritePropertyName("properties");
        if (query.Properties is null)
        {
            json.WriteRawValue(set.PropertiesJson(feature), skipInputValidation: true);
        }
        else
        {
            set.WriteProperties(json, feature, query.Properties);
        }

        if (links is not null)
        {
            WriteLinks(json, links);
        }

        json.WriteEndObject();
    }
}
