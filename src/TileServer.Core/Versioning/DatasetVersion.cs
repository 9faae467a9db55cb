using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TileServer.Core.Versioning;

/// <summary>
/// The version of a served dataset: names every byte an answer can depend on, so that a client or CDN holding an ETag
/// built from it never gets <c>304 Not Modified</c> for an answer that changed.
/// </summary>
/// <remarks>
/// <para>
/// Algorithm: the first 16 hex digits of SHA-256 over one canonical JSON document,
/// <c>{"files": {role: sha256}, "options": {section: {option: value}}}</c>. Files are named by their role
/// (<c>Dataset:Districts.shp</c>), never by their path, and hashed by content. Options are every public property of
/// each configuration section given (nested objects included) except those marked <see cref="NotInVersionAttribute"/>,
/// serialized with System.Text.Json (numbers in its shortest round-trip form, enums by name) and written with object
/// keys in ordinal order at every level (RFC 8785's key order; the values here are plain numbers, strings and
/// booleans), so that the version does not depend on declaration order, the file system, the clock or the machine.
/// </para>
/// <para>Thread safety: stateless; safe from any thread.</para>
/// </remarks>
public static class DatasetVersion
{
    private static readonly JsonSerializerOptions Serialization = new()
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutNotInVersion } },
    };

    /// <param name="files">Each input file by role (e.g. <c>Dataset:Estimates.csv</c>) and path; only the bytes count.</param>
    /// <param name="sections">Each configuration section by name (e.g. <c>Tiles</c>) and its bound options object.</param>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static string Compute(IEnumerable<KeyValuePair<string, string>> files, IEnumerable<KeyValuePair<string, object>> sections)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(sections);
        var fileHashes = new JsonObject();
        foreach (var (role, path) in files)
        {
            using var stream = File.OpenRead(path);
            fileHashes.Add(role, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }

        var options = new JsonObject();
        foreach (var (name, section) in sections)
        {
            options.Add(name, JsonSerializer.SerializeToNode(section, section.GetType(), Serialization));
        }

        return Convert.ToHexStringLower(SHA256.HashData(Canonical(new JsonObject { ["files"] = fileHashes, ["options"] = options })))[..16];
    }

    /// <summary>The document as UTF-8 JSON with object keys in ordinal order at every level, no whitespace.</summary>
    internal static byte[] Canonical(JsonNode document)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, document);
        }

        return buffer.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(key);
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }

    private static void LeaveOutNotInVersion(JsonTypeInfo type)
    {
        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            if (type.Properties[i].AttributeProvider?.IsDefined(typeof(NotInVersionAttribute), inherit: true) == true)
            {
                type.Properties.RemoveAt(i);
            }
        }
    }
}
