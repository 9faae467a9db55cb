using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using nietras.SeparatedValues;
using NetTopologySuite.IO;

namespace TileServer.Core.Features;

/// <summary>
/// Writes features as CSV (RFC 4180, UTF-8, comma, header row, fields quoted when needed by Sep): one row per
/// feature, <c>id</c> then the properties (all or the selected ones), missing values empty, numbers in the invariant
/// culture; with WKT asked for, a last <c>geometry</c> column holds the geometry as WKT in the requested CRS
/// (x/y order, see <see cref="FeatureOutput"/>). Rows are written in batches and flushed to the pipe, so memory
/// stays bounded.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class CsvFeatureWriter
{
    private const int RowsPerFlush = 256;

    public static async Task WriteAsync(PipeWriter output, FeatureQuery query, ArraySegment<int> page, bool wkt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(query);
        var set = query.Set;
        var properties = query.Properties ?? [.. Enumerable.Range(0, set.Properties.Count)];
        var text = new StringWriter(CultureInfo.InvariantCulture);
        var wktWriter = new WKTWriter();
        var mapper = FeatureOutput.Mapper(query.Crs);
        using (var csv = Sep.New(',').Writer(o => o with { Escape = true }).To(text))
        {
            var rows = 0;
            foreach (var feature in page)
            {
                using (var row = csv.NewRow())
                {
                    row["id"].Set(set.Code(feature));
                    foreach (var p in properties)
                    {
                        var cell = row[set.Properties[p].Name];
                        switch (set.Value(p, feature))
                        {
                            case string s:
                                cell.Set(s);
                                break;
                            case double d:
                                cell.Set(d.ToString("R", CultureInfo.InvariantCulture));
                                break;
                            case bool b:
                                cell.Set(b ? "true" : "false");
                                break;
                            default:
                                cell.Set("");
                                break;
                        }
                    }

                    if (wkt)
                    {
                        var geometry = query.SourceGeometry ? set.SourceGeometry(feature) : set.Geometry(feature);
                        row["geometry"].Set(wktWriter.Write(FeatureOutput.InCrs(geometry, query.Crs, mapper, false)));
                    }
                }

                if (++rows % RowsPerFlush == 0)
                {
                    csv.Flush();
                    await Drain(text, output, cancellationToken);
                }
            }

            if (rows == 0)
            {
                // No row: Sep writes no header either; write it by hand so that the columns are still known.
                var header = properties.Select(p => set.Properties[p].Name).Prepend("id");
                text.Write(string.Join(",", wkt ? header.Append("geometry") : header) + "\n");
            }
        }

        await Drain(text, output, cancellationToken);
    }

    private static async Task Drain(StringWriter text, PipeWriter output, CancellationToken cancellationToken)
    {
        var builder = text.GetStringBuilder();
        foreach (var chunk in builder.GetChunks())
        {
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            output.Advance(Encoding.UTF8.GetBytes(chunk.Span, span));
        }

        builder.Clear();
        await output.FlushAsync(cancellationToken);
    }
}
