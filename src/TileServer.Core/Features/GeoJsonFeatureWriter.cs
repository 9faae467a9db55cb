using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace TileServer.Core.Features;

/// <summary>A web link (RFC 8288) as OGC API documents list them.</summary>
public sealed record FeatureLink(string Href, string Rel, string Type, string? Title = null);

/// <summary>
/// Writes features as GeoJSON (RFC 7946) the way OGC API - Features Part 1 serves them: a FeatureCollection with
/// <c>numberMatched</c>, <c>numberReturned</c>, <c>timeStamp</c> and <c>links</c>, or one Feature. The collection is
/// streamed: features go to the pipe as they are written, which is flushed every <see cref="FlushBytes"/>, so memory
/// stays bounded whatever the page size and the client gets the first bytes at once.
/// </summary>
/// <remarks>
/// A feature is assembled from the bytes <see cref="FeatureSet"/> serialized at load (its head, geometry in CRS84,
/// properties), copied into the pipe's own buffers piece by piece; only what the request changes (another CRS, the
/// source geometry, a property selection) is serialized, by a <see cref="Utf8JsonWriter"/> reset onto the pipe. Raw
/// copies rather than <see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>: that asks the pipe for one
/// span as large as the value, which Kestrel's pool serves with a fresh array for anything above 4 KB (a district's
/// geometry reaches 50 KB). Thread safety: stateless.
/// </remarks>
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
        json.Flush();
        var mapper = query.Crs.FromLonLat();
        var pending = 0L;
        var first = true;
        foreach (var feature in page)
        {
            if (!first)
            {
                output.Write(","u8);
            }

            first = false;
            pending += WriteFeature(output, json, query, feature, mapper, null);
            if (pending >= FlushBytes)
            {
                pending = 0;
                var result = await output.FlushAsync(cancellationToken);
                if (result.IsCanceled || result.IsCompleted)
                {
                    return;
                }
            }
        }

        json.Reset(output);
        output.Write("]}"u8);
        await output.FlushAsync(cancellationToken);
    }

    /// <summary>One feature as a GeoJSON Feature object with its own <paramref name="links"/>.</summary>
    public static async Task WriteFeatureAsync(PipeWriter output, FeatureQuery query, int feature, IReadOnlyList<FeatureLink> links, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(query);
        await using var json = new Utf8JsonWriter(output, GeoJsonGeometry.WriterOptions);
        WriteFeature(output, json, query, feature, query.Crs.FromLonLat(), links);
        await output.FlushAsync(cancellationToken);
    }

    public static void WriteLinks(Utf8JsonWriter json, IReadOnlyList<FeatureLink> links)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WritePropertyName("links");
        WriteLinkArray(json, links);
    }

    private static void WriteLinkArray(Utf8JsonWriter json, IReadOnlyList<FeatureLink> links)
    {
        ArgumentNullException.ThrowIfNull(links);
        json.WriteStartArray();
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

    /// <summary>Writes one feature object to the pipe; returns the bytes written.</summary>
    private static long WriteFeature(PipeWriter output, Utf8JsonWriter json, FeatureQuery query, int feature, CoordinateMapper mapper, IReadOnlyList<FeatureLink>? links)
    {
        var set = query.Set;
        var head = set.HeadJson(feature);
        output.Write(head);
        output.Write(",\"geometry\":"u8);
        long written = head.Length + 12;
        if (query.SkipGeometry)
        {
            output.Write("null"u8);
            written += 4;
        }
        else if (mapper.IsIdentity && !query.SourceGeometry)
        {
            var geometry = set.GeometryJson(feature);
            output.Write(geometry);
            written += geometry.Length;
        }
        else
        {
            json.Reset(output);
            GeoJsonGeometry.Write(json, query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature), mapper, query.Crs.Decimals);
            json.Flush();
            written += json.BytesCommitted;
        }

        output.Write(",\"properties\":"u8);
        written += 14;
        if (query.Properties is null)
        {
            var properties = set.PropertiesJson(feature);
            output.Write(properties);
            written += properties.Length;
        }
        else
        {
            json.Reset(output);
            set.WriteProperties(json, feature, query.Properties);
            json.Flush();
            written += json.BytesCommitted;
        }

        if (links is not null)
        {
            output.Write(",\"links\":"u8);
            json.Reset(output);
            WriteLinkArray(json, links);
            json.Flush();
            written += 9 + json.BytesCommitted;
        }

        output.Write("}"u8);
        return written + 1;
    }
}
