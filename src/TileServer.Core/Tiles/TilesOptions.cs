using TileServer.Core.Versioning;

namespace TileServer.Core.Tiles;

/// <summary>The zoom range of one layer of the tileset; <see cref="Enabled"/> false leaves the layer out.</summary>
public sealed class TileLayerOptions
{
    public bool Enabled { get; set; } = true;

    public int MinZoom { get; set; }

    public int MaxZoom { get; set; } = 12;

    internal bool Covers(int zoom) => Enabled && zoom >= MinZoom && zoom <= MaxZoom;
}

/// <summary>
/// The vector tileset: the <c>Tiles</c> configuration section. Defaults show departments from z0, provinces from z3
/// and districts from z5 (at z5 Peru is about 600 pixels wide, a district about 13), so that every zoom shows a map
/// without crowding the low zooms.
/// </summary>
public sealed class TilesOptions
{
    public const string SectionName = "Tiles";

    /// <summary>Default of <see cref="CacheBytes"/>: 256 MiB.</summary>
    public const long DefaultCacheBytes = 256L << 20;

    /// <summary>Build the tileset at load. Off: no tiles (the tile endpoints answer 404).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A <c>.pmtiles</c> or <c>.mbtiles</c> file to serve instead of precomputing (e.g. one <c>export-tiles</c> wrote),
    /// or the <c>http(s)://</c> or <c>s3://bucket/key</c> URL of a <c>.pmtiles</c> archive, read by ranges; empty:
    /// precompute from the dataset. The other tileset options then do not apply: the archive is what it is.
    /// </summary>
    [NotInVersion("a path or URL: the archive's content (file bytes, or object ETag and length) enters the version")]
    public string Source { get; set; } = "";

    /// <summary>
    /// Bound, in bytes, of the in-memory cache of a PMTiles <see cref="Source"/>'s leaf directories and tiles, or of
    /// the tiles built on first request above <see cref="PrebuildMaxZoom"/> (0: none).
    /// </summary>
    [NotInVersion("a memory bound: the answers are the same")]
    public long CacheBytes { get; set; } = DefaultCacheBytes;

    /// <summary>Longest wait for one read of a remote <see cref="Source"/> (a tile request waiting longer is answered 502).</summary>
    [NotInVersion("a time bound: the answers are the same")]
    public int SourceTimeoutSeconds { get; set; } = 10;

    /// <summary>How an <c>s3://</c> <see cref="Source"/> is reached (endpoint, region, credentials).</summary>
    [NotInVersion("how the archive is reached, and secrets: its content enters the version")]
    public S3SourceOptions S3 { get; set; } = new();

    /// <summary>The deepest zoom precomputed; clients overzoom beyond it.</summary>
    public int MaxZoom { get; set; } = 12;

    /// <summary>Default of <see cref="PrebuildMaxZoom"/>.</summary>
    public const int DefaultPrebuildMaxZoom = 8;

    /// <summary>
    /// The deepest zoom whose tiles are all built at load; the zooms above it, up to <see cref="MaxZoom"/>, are built
    /// tile by tile on first request (the same bytes) and kept in a cache bounded by <see cref="CacheBytes"/>. On Peru
    /// z9-z12 hold 19,582 of the 19,713 tiles and most of the build time, so that building them at load kept the
    /// server from being ready for seconds (benchmarks/README.md, Load time); the first request at one of those zooms
    /// prepares it (its simplified geometry and tile index, a few hundred milliseconds), then each tile takes
    /// milliseconds.
    /// </summary>
    [NotInVersion("when tiles are built: the bytes of every tile are the same")]
    public int PrebuildMaxZoom { get; set; } = DefaultPrebuildMaxZoom;

    /// <summary>Tile coordinate extent (MVT 2.1: 4096 is the convention).</summary>
    public int Extent { get; set; } = 4096;

    /// <summary>Geometry kept beyond each tile edge, in extent units, so that strokes and fills join across tiles.</summary>
    public int Buffer { get; set; } = 64;

    /// <summary>
    /// Coverage simplification tolerance in extent units (16 = one pixel of a 256-pixel tile, half a pixel of a
    /// 512-pixel one): the NTS CoverageSimplifier distance tolerance at zoom z is this times the size of one extent
    /// unit in Web Mercator metres at z.
    /// </summary>
    public double SimplifyTolerance { get; set; } = 16;

    /// <summary>Gzip level of the precompressed copy of each tile.</summary>
    public System.IO.Compression.CompressionLevel GzipLevel { get; set; } = System.IO.Compression.CompressionLevel.Optimal;

    /// <summary><c>Cache-Control</c> header of tile and TileJSON responses.</summary>
    [NotInVersion("a caching directive, not part of any representation: changing it must not invalidate every cache")]
    public string CacheControl { get; set; } = "public, max-age=3600";

    /// <summary>TileJSON <c>attribution</c> (HTML).</summary>
    public string Attribution { get; set; } = "Boundaries: INEI; estimates: INEI poverty maps, CEPLAN, PNUD";

    public TileLayerOptions Departments { get; set; } = new() { MinZoom = 0 };

    public TileLayerOptions Provinces { get; set; } = new() { MinZoom = 3 };

    public TileLayerOptions Districts { get; set; } = new() { MinZoom = 5 };

    /// <summary>
    /// Polygon features carry code, name, parent codes and the estimates. False: geometry and the numeric feature id
    /// only (<c>code</c> too when it is not numeric): geometry-only tiles, as in the comparison with PostGIS
    /// <c>ST_AsMVT</c>; clients join the data by id themselves.
    /// </summary>
    public bool Attributes { get; set; } = true;

    /// <summary>The <c>labels</c> point layer: one point per unit, for the zooms of the unit's own layer.</summary>
    public bool Labels { get; set; } = true;

    /// <summary>True for a source in object storage or behind HTTP (<c>http://</c>, <c>https://</c>, <c>s3://</c>) rather than a local path.</summary>
    public static bool IsRemote(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || source.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>Problems with the values, one message each; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxZoom is < 0 or > 16)
        {
            errors.Add($"Tiles:MaxZoom must be between 0 and 16, got {MaxZoom}");
        }

        if (PrebuildMaxZoom is < 0 or > 16)
        {
            errors.Add($"Tiles:PrebuildMaxZoom must be between 0 and 16, got {PrebuildMaxZoom}");
        }

        if (Extent is < 256 or > 65536)
        {
            errors.Add($"Tiles:Extent must be between 256 and 65536, got {Extent}");
        }

        if (Buffer < 0 || Buffer > Extent / 2)
        {
            errors.Add($"Tiles:Buffer must be between 0 and half the extent ({Extent / 2}), got {Buffer}");
        }

        if (!(SimplifyTolerance >= 0 && SimplifyTolerance <= Extent / 16.0))
        {
            errors.Add($"Tiles:SimplifyTolerance must be between 0 and {Extent / 16.0} extent units, got {SimplifyTolerance}");
        }

        if (!string.IsNullOrWhiteSpace(Source) && SourceProblem(Source) is { } problem)
        {
            errors.Add(problem);
        }

        if (CacheBytes < 0)
        {
            errors.Add($"Tiles:CacheBytes must be 0 or more, got {CacheBytes}");
        }

        if (SourceTimeoutSeconds is < 1 or > 300)
        {
            errors.Add($"Tiles:SourceTimeoutSeconds must be between 1 and 300, got {SourceTimeoutSeconds}");
        }

        if (!string.IsNullOrWhiteSpace(S3.ServiceUrl) && !Uri.TryCreate(S3.ServiceUrl, UriKind.Absolute, out _))
        {
            errors.Add($"Tiles:S3:ServiceUrl must be an absolute URL (http://127.0.0.1:9000), got {S3.ServiceUrl}");
        }

        if (string.IsNullOrEmpty(S3.AccessKeyId) != string.IsNullOrEmpty(S3.SecretAccessKey))
        {
            errors.Add("Tiles:S3:AccessKeyId and Tiles:S3:SecretAccessKey go together: give both, or neither for the SDK's credential chain");
        }

        if (string.IsNullOrWhiteSpace(CacheControl))
        {
            errors.Add("Tiles:CacheControl must not be empty");
        }

        foreach (var (name, layer) in new[] { ("Departments", Departments), ("Provinces", Provinces), ("Districts", Districts) })
        {
            if (layer.MinZoom < 0 || layer.MinZoom > layer.MaxZoom)
            {
                errors.Add($"Tiles:{name}: MinZoom ({layer.MinZoom}) must be between 0 and MaxZoom ({layer.MaxZoom})");
            }
        }

        return errors;
    }

    private static string? SourceProblem(string source)
    {
        if (!IsRemote(source))
        {
            return Path.GetExtension(source).ToLowerInvariant() is ".pmtiles" or ".mbtiles"
                ? null
                : $"Tiles:Source must be a .pmtiles or .mbtiles file, or the http(s):// or s3:// URL of a .pmtiles archive, got {source}";
        }

        if (!Uri.TryCreate(source, UriKind.Absolute, out var uri) || (uri.Scheme == "s3" && (uri.Host.Length == 0 || uri.AbsolutePath.Length <= 1)))
        {
            return $"Tiles:Source must be a valid URL (http://host/path.pmtiles, s3://bucket/key.pmtiles), got {source}";
        }

        return uri.AbsolutePath.EndsWith(".pmtiles", StringComparison.OrdinalIgnoreCase)
            ? null
            : $"Tiles:Source: only .pmtiles archives are read from object storage or HTTP (MBTiles is SQLite and needs a local file), got {uri.GetLeftPart(UriPartial.Path)}";
    }
}

/// <summary>How <c>s3://</c> archives are reached: the <c>Tiles:S3</c> configuration section.</summary>
public sealed class S3SourceOptions
{
    /// <summary>Endpoint of an S3-compatible store (MinIO, Ceph, R2, s3rver): <c>http://127.0.0.1:9000</c>; empty: AWS S3 of <see cref="Region"/>.</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>AWS region (or the signing region of a compatible store); empty: the SDK's (<c>AWS_REGION</c>, profile), else <c>us-east-1</c> with a <see cref="ServiceUrl"/>.</summary>
    public string Region { get; set; } = "";

    /// <summary>Path-style URLs (<c>host/bucket/key</c>), which most S3-compatible stores need; virtual-host style when false.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Access key; empty: the SDK's credential chain (environment, profile, web identity / IRSA, instance role).</summary>
    public string AccessKeyId { get; set; } = "";

    /// <summary>Secret key, with <see cref="AccessKeyId"/> (from a secret, e.g. <c>Tiles__S3__SecretAccessKey</c>).</summary>
    public string SecretAccessKey { get; set; } = "";
}
