using System.Globalization;
using System.Net;
using System.Text;
using NetTopologySuite.Geometries;
using TileServer.Core.Features;

namespace TileServer.Features;

/// <summary>
/// The HTML representations of the OGC API door (Part 1's <c>html</c> conformance class): plain server-rendered pages
/// with no script and no external asset, so that they work offline. An items page is a table of the page's features
/// with a small map: an inline SVG of their geometries (equirectangular, scaled by the cosine of the mean latitude).
/// </summary>
internal static class FeatureHtml
{
    private const string Style = """
        body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}header{border-bottom:1px solid #ccc;margin-bottom:1rem}
        nav a{margin-right:1rem}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ddd;padding:.2rem .4rem;text-align:left}
        th{background:#f4f4f4;position:sticky;top:0}td.n{text-align:right}svg{border:1px solid #ccc;background:#f8fbff;max-width:100%}
        svg path{fill:#f4a582;fill-opacity:.6;stroke:#b2182b;stroke-width:1;vector-effect:non-scaling-stroke}
        """;

    /// <summary>A page with a header (title, description, links) and a body.</summary>
    public static string Page(string title, string? description, IReadOnlyList<FeatureLink> links, string? body)
    {
        var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">");
        html.Append("<title>").Append(E(title)).Append("</title><style>").Append(Style).Append("</style></head><body><header><h1>")
            .Append(E(title)).Append("</h1>");
        if (description is not null)
        {
            html.Append("<p>").Append(E(description)).Append("</p>");
        }

        html.Append("<nav>");
        foreach (var link in links)
        {
            html.Append("<a href=\"").Append(E(link.Href)).Append("\" rel=\"").Append(E(link.Rel)).Append("\" type=\"").Append(E(link.Type)).Append("\">")
                .Append(E(link.Title ?? link.Rel)).Append("</a> ");
        }

        return html.Append("</nav></header><main>").Append(body).Append("</main></body></html>").ToString();
    }

    public static string List(IEnumerable<string> items) =>
        new StringBuilder("<ul>").AppendJoin("", items.Select(i => $"<li>{E(i)}</li>")).Append("</ul>").ToString();

    public static string Collections(IReadOnlyList<FeatureSet> sets, OgcLinks links)
    {
        var html = new StringBuilder("<table><tr><th>collection</th><th>features</th><th>description</th><th>downloads</th></tr>");
        foreach (var set in sets)
        {
            var path = $"/collections/{set.Id}";
            html.Append("<tr><td><a href=\"").Append(E(links.Url(path + "?f=html"))).Append("\">").Append(E(set.Title)).Append("</a></td><td class=\"n\">")
                .Append(set.Count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td><td>").Append(E(set.Description)).Append("</td><td>")
                .Append($"<a href=\"{E(links.Url(path + "/items?f=html"))}\">table</a> <a href=\"{E(links.Url(path + "/items"))}\">GeoJSON</a> ")
                .Append($"<a href=\"{E(links.Url(path + "/items?f=csv"))}\">CSV</a> <a href=\"{E(links.Url(path + "/items?f=gpkg"))}\">GeoPackage</a> ")
                .Append($"<a href=\"{E(links.Url(path + "/items?f=shp"))}\">Shapefile</a></td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    public static string Properties(FeatureSet set)
    {
        var html = new StringBuilder("<table><tr><th>property</th><th>type</th><th>title</th><th>unit</th><th>description</th></tr>");
        foreach (var p in set.Properties)
        {
            html.Append("<tr><td><code>").Append(E(p.Name)).Append("</code></td><td>").Append(p.Type.ToString().ToLowerInvariant()).Append("</td><td>")
                .Append(E(p.Title)).Append("</td><td>").Append(E(p.Unit ?? "")).Append("</td><td>").Append(E(p.Description ?? "")).Append("</td></tr>");
        }

        return html.Append("</table>").ToString();
    }

    /// <summary>A page of features: counts, the map, and a table of their properties.</summary>
    public static string Items(FeatureSet set, FeatureQuery query, ArraySegment<int> page, int matched, IReadOnlyList<FeatureLink> links)
    {
        var properties = query.Properties ?? [.. Enumerable.Range(0, set.Properties.Count)];
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"<p>{page.Count:N0} of {matched:N0} matching features");
        if (page.Count > 0 && matched > page.Count)
        {
            body.Append(CultureInfo.InvariantCulture, $" (from the {query.Offset + 1:N0}th)");
        }

        body.Append(".</p>");
        if (!query.SkipGeometry && page.Count > 0)
        {
            body.Append(Map(set, query, page));
        }

        body.Append("<table><tr><th>id</th>");
        foreach (var p in properties)
        {
            body.Append("<th title=\"").Append(E(set.Properties[p].Title)).Append("\">").Append(E(set.Properties[p].Name)).Append("</th>");
        }

        body.Append("</tr>");
        foreach (var feature in page)
        {
            var code = set.Code(feature);
            body.Append("<tr><td><a href=\"").Append(E($"/collections/{set.Id}/items/{Uri.EscapeDataString(code)}?f=html")).Append("\">").Append(E(code)).Append("</a></td>");
            foreach (var p in properties)
            {
                switch (set.Value(p, feature))
                {
                    case double d:
                        body.Append("<td class=\"n\">").Append(d.ToString("R", CultureInfo.InvariantCulture)).Append("</td>");
                        break;
                    case null:
                        body.Append("<td></td>");
                        break;
                    case var value:
                        body.Append("<td>").Append(E(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append("</td>");
                        break;
                }
            }

            body.Append("</tr>");
        }

        body.Append("</table>");
        return Page($"{set.Title}", set.Description, links, body.ToString());
    }

    /// <summary>The features' geometries as SVG paths, fitted to 640 pixels wide; each path titled with its name.</summary>
    private static string Map(FeatureSet set, FeatureQuery query, ArraySegment<int> page)
    {
        var extent = new Envelope();
        foreach (var feature in page)
        {
            extent.ExpandToInclude(set.Geometry(feature).EnvelopeInternal);
        }

        var scaleX = Math.Cos(extent.Centre.Y * Math.PI / 180);
        var width = Math.Max(extent.Width * scaleX, 1e-9);
        var height = Math.Max(extent.Height, 1e-9);
        const double Pixels = 640;
        var factor = Pixels / Math.Max(width, height);
        var svg = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width * factor:F0}\" height=\"{height * factor:F0}\" viewBox=\"0 0 {width * factor:F1} {height * factor:F1}\" role=\"img\" aria-label=\"map of the features on this page\">");
        var nameIndex = set.PropertyIndex("name");
        var tolerance = Math.Max(width, height) / Pixels / 2;
        foreach (var feature in page)
        {
            var geometry = NetTopologySuite.Simplify.TopologyPreservingSimplifier.Simplify(query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature), tolerance);
            svg.Append("<path d=\"");
            for (var g = 0; g < geometry.NumGeometries; g++)
            {
                if (geometry.GetGeometryN(g) is not Polygon polygon)
                {
                    continue;
                }

                foreach (var ring in new[] { polygon.ExteriorRing }.Concat(polygon.InteriorRings))
                {
                    var coordinates = ring.Coordinates;
                    for (var i = 0; i < coordinates.Length; i++)
                    {
                        var x = (coordinates[i].X - extent.MinX) * scaleX * factor;
                        var y = (extent.MaxY - coordinates[i].Y) * factor;
                        svg.Append(i == 0 ? 'M' : 'L').Append(x.ToString("F1", CultureInfo.InvariantCulture)).Append(' ').Append(y.ToString("F1", CultureInfo.InvariantCulture));
                    }

                    svg.Append('Z');
                }
            }

            var title = nameIndex >= 0 ? set.Value(nameIndex, feature) as string : null;
            svg.Append("\"><title>").Append(E($"{set.Code(feature)} {title}")).Append("</title></path>");
        }

        return svg.Append("</svg>").ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
