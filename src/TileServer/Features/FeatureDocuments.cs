using System.Text.Json;
using TileServer.Core.Features;

namespace TileServer.Features;

/// <summary>The link lists and collection documents of the OGC API door (OGC API - Features Part 1, 7.2-7.16, Part 2 and 3).</summary>
internal static class FeatureDocuments
{
    public const string QueryablesRel = "http://www.opengis.net/def/rel/ogc/1.0/queryables";
    public const string ConformanceRel = "conformance";

    public static IReadOnlyList<FeatureLink> LandingLinks(OgcLinks links, FeatureCatalog catalog)
    {
        var list = ServiceLinks(links);
        foreach (var set in catalog.Collections)
        {
            list.Add(new(links.Url($"/collections/{set.Id}/items?f=gpkg"), "enclosure", OgcFormats.GeoPackage, $"Download every {set.Id[..^1]} (GeoPackage)"));
            list.Add(new(links.Url($"/collections/{set.Id}/items?f=shp"), "enclosure", OgcFormats.Zip, $"Download every {set.Id[..^1]} (zipped Shapefile)"));
        }

        return list;
    }

    /// <summary>The landing page's links that do not depend on the dataset (the web map shows them while it loads).</summary>
    public static List<FeatureLink> ServiceLinks(OgcLinks links) =>
        [
            new(links.Url("/"), "self", OgcFormats.Json, "This document"),
            new(links.Url("/?f=html"), "alternate", OgcFormats.Html, "This document as HTML"),
            new(links.Url("/api"), "service-desc", OgcFormats.OpenApi, "The API definition (OpenAPI 3.0)"),
            new(links.Url("/api.html"), "service-doc", OgcFormats.Html, "The API documentation"),
            new(links.Url("/conformance"), ConformanceRel, OgcFormats.Json, "The conformance classes this server implements"),
            new(links.Url("/collections"), "data", OgcFormats.Json, "The feature collections"),
            links.TileJson(),
            new(links.Url("/styles/poverty.json"), "stylesheet", OgcFormats.Json, "MapLibre style of the poverty map"),
        ];

    public static IReadOnlyList<FeatureLink> CollectionLinks(FeatureSet set, OgcLinks links)
    {
        var path = $"/collections/{set.Id}";
        return
        [
            new(links.Url(path), "self", OgcFormats.Json, set.Title),
            new(links.Url(path + "?f=html"), "alternate", OgcFormats.Html, set.Title + " as HTML"),
            new(links.Url(path + "/items"), "items", OgcFormats.GeoJson, set.Title + " as GeoJSON"),
            new(links.Url(path + "/items?f=html"), "items", OgcFormats.Html, set.Title + " as an HTML table"),
            new(links.Url(path + "/items?f=csv"), "items", OgcFormats.Csv, set.Title + " as CSV"),
            new(links.Url(path + "/items?f=gpkg"), "enclosure", OgcFormats.GeoPackage, $"Download every {set.Id[..^1]} (GeoPackage)"),
            new(links.Url(path + "/items?f=shp"), "enclosure", OgcFormats.Zip, $"Download every {set.Id[..^1]} (zipped Shapefile)"),
            new(links.Url(path + "/queryables"), QueryablesRel, OgcFormats.SchemaJson, "The properties filters may use"),
            new(links.Url(path + "/schema"), "describedby", OgcFormats.SchemaJson, "The schema of the features"),
            links.TileJson(),
        ];
    }

    public static void WriteCollection(Utf8JsonWriter json, FeatureSet set, OgcLinks links)
    {
        json.WriteStartObject();
        WriteCollectionMembers(json, set, links);
        json.WriteEndObject();
    }

    public static void WriteCollectionMembers(Utf8JsonWriter json, FeatureSet set, OgcLinks links)
    {
        json.WriteString("id", set.Id);
        json.WriteString("title", set.Title);
        json.WriteString("description", set.Description);
        json.WriteString("itemType", "feature");
        json.WriteStartObject("extent");
        json.WriteStartObject("spatial");
        json.WriteStartArray("bbox");
        json.WriteStartArray();
        var extent = set.Extent;
        foreach (var value in (ReadOnlySpan<double>)[extent.MinX, extent.MinY, extent.MaxX, extent.MaxY])
        {
            json.WriteNumberValue(Math.Round(value, 7));
        }

        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteString("crs", FeatureCrs.Crs84.Uri);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartArray("crs");
        foreach (var crs in FeatureCrs.Supported)
        {
            json.WriteStringValue(crs.Uri);
        }

        json.WriteEndArray();
        json.WriteString("storageCrs", FeatureCrs.Crs84.Uri);
        json.WriteString("datetime", "The estimates carry no time: datetime is accepted and filters nothing.");
        GeoJsonFeatureWriter.WriteLinks(json, CollectionLinks(set, links));
    }

    /// <summary>The links of an items page: self, one alternate per format, next (exactly when more remain), prev, collection.</summary>
    public static IReadOnlyList<FeatureLink> ItemsLinks(FeatureSet set, FeatureQuery query, OgcLinks links, OgcFormat format, int matched, int returned)
    {
        var path = $"/collections/{set.Id}/items";
        var formats = new (OgcFormat Format, string Type, string Title)[]
        {
            (OgcFormat.Json, OgcFormats.GeoJson, "GeoJSON"),
            (OgcFormat.Html, OgcFormats.Html, "HTML"),
            (OgcFormat.Csv, OgcFormats.Csv, "CSV"),
        };
        var current = formats.FirstOrDefault(f => f.Format == format);
        string? F(OgcFormat f) => f == OgcFormat.Json ? null : OgcFormats.Parameter(f);
        var list = new List<FeatureLink> { new(links.WithQuery(path, ("f", F(format))), "self", current.Type, "This page") };
        foreach (var (other, type, title) in formats.Where(f => f.Format != format))
        {
            list.Add(new(links.WithQuery(path, ("f", F(other))), "alternate", type, "This page as " + title));
        }

        list.Add(new(links.WithQuery(path, ("f", "gpkg"), ("limit", null), ("offset", null)), "alternate", OgcFormats.GeoPackage, "Every matching feature (GeoPackage)"));
        list.Add(new(links.WithQuery(path, ("f", "shp"), ("limit", null), ("offset", null)), "alternate", OgcFormats.Zip, "Every matching feature (zipped Shapefile)"));
        var limit = query.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (query.Offset + returned < matched)
        {
            var next = (query.Offset + returned).ToString(System.Globalization.CultureInfo.InvariantCulture);
            list.Add(new(links.WithQuery(path, ("f", F(format)), ("offset", next), ("limit", limit)), "next", current.Type, "Next page"));
        }

        if (query.Offset > 0)
        {
            var previous = Math.Max(0, query.Offset - query.Limit).ToString(System.Globalization.CultureInfo.InvariantCulture);
            list.Add(new(links.WithQuery(path, ("f", F(format)), ("offset", previous), ("limit", limit)), "prev", current.Type, "Previous page"));
        }

        list.Add(new(links.Url($"/collections/{set.Id}"), "collection", OgcFormats.Json, set.Title));
        return list;
    }
}
