namespace TileServer.Core.Ingest;

/// <summary>
/// Bounds on what one load may read, so that a hostile or broken file ends in a clean error instead of exhausting
/// memory or time. Every count read from a file is also checked against the bytes that remain before anything is
/// allocated for it; these limits bound what a well-formed but oversized file may ask for.
/// </summary>
public sealed record LoadLimits
{
    /// <summary>Default <see cref="MaxFileBytes"/>: 1 GiB.</summary>
    public const long DefaultMaxFileBytes = 1L << 30;

    /// <summary>Default <see cref="MaxVerticesPerUnit"/>: 100 times the most detailed district of Peru's layer (2,034).</summary>
    public const int DefaultMaxVerticesPerUnit = 250_000;

    /// <summary>
    /// Largest <c>.prj</c> or <c>.cpg</c> accepted: real ones are under 2 KB, and ProjNET's WKT tokenizer is quadratic
    /// in the length of a quoted name (a 200 KB name took 17 s, 1 MB over 300 s); 16 KiB parses in well under 0.1 s.
    /// </summary>
    public const int MaxSidecarBytes = 16 * 1024;

    /// <summary>Largest input file in bytes (each of the layer's files and the CSV): <c>Dataset:MaxFileBytes</c>.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>Most vertices in one record, and in one district once records sharing a code are merged: <c>Dataset:MaxVerticesPerUnit</c>.</summary>
    public int MaxVerticesPerUnit { get; init; } = DefaultMaxVerticesPerUnit;
}
