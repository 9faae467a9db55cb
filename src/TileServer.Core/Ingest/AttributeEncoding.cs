using System.Text;

namespace TileServer.Core.Ingest;

/// <summary>
/// Resolves the attribute encoding of a shapefile from its <c>.cpg</c> text ("UTF-8", "ISO-8859-1", "88591", "1252",
/// "ANSI 1252", "CP850", ...), the conventions GDAL and ArcGIS write.
/// </summary>
/// <remarks>Thread safety: stateless.</remarks>
public static class AttributeEncoding
{
    static AttributeEncoding() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    /// <summary>The encoding named by <paramref name="name"/>, or null when it names none.</summary>
    public static Encoding? TryResolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = name.Trim().ToUpperInvariant();
        if (text.StartsWith("ANSI", StringComparison.Ordinal) || text.StartsWith("CP", StringComparison.Ordinal))
        {
            text = text.TrimStart('A', 'N', 'S', 'I', 'C', 'P', ' ', '_', '-');
        }

        text = text switch
        {
            "UTF8" or "UTF-8" => "utf-8",
            "88591" or "8859-1" or "ISO88591" or "LATIN1" or "LATIN-1" => "iso-8859-1",
            "" => "",
            _ => text,
        };
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return int.TryParse(text, out var codePage) ? Encoding.GetEncoding(codePage) : Encoding.GetEncoding(text);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
