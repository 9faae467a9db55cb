using System.Diagnostics.CodeAnalysis;
using NetTopologySuite.Geometries;

namespace TileServer.Core.Model;

/// <summary>
/// A district, province or department: code, name, parents, geometry (WGS 84 lon/lat) and estimate values aligned
/// with its layer's <see cref="AdminLayer.Columns"/>. Immutable.
/// </summary>
/// <remarks>
/// A unit read from a snapshot file decodes its <see cref="SourceGeometry"/> on first use (<see cref="SourceDecoder"/>):
/// only answers with <c>geometry=source</c> read it, and decoding every unit's at start-up doubled the geometry a replica
/// builds before it is ready. Thread safety: safe from any thread; two threads that decode it at once build equal
/// geometries and one is kept.
/// </remarks>
public sealed class AdminUnit
{
    private Geometry? _sourceGeometry;
    private Func<Geometry>? _sourceDecoder;

    public required AdminLevel Level { get; init; }

    public required string Code { get; init; }

    public required string Name { get; init; }

    /// <summary>Province code (districts only).</summary>
    public string? ProvinceCode { get; init; }

    /// <summary>Department code (districts and provinces).</summary>
    public string? DepartmentCode { get; init; }

    /// <summary>The served geometry: for districts the cleaned one when the coverage is cleaned at load.</summary>
    public required Geometry Geometry { get; init; }

    /// <summary>The geometry as published in the source layer (districts); for dissolved levels, the same as <see cref="Geometry"/>.
    /// Set it, or <see cref="SourceDecoder"/> (then it may be set to null).</summary>
    /// <exception cref="InvalidOperationException">The unit was built without one (a defect of the code that built it).</exception>
    [AllowNull]
    public Geometry SourceGeometry
    {
        get => Volatile.Read(ref _sourceGeometry) ?? DecodeSource();
        init => _sourceGeometry = value;
    }

    /// <summary>Values aligned with the layer's columns: <see cref="double"/>, <see cref="string"/> or null (missing).</summary>
    public required IReadOnlyList<object?> Values { get; init; }

    /// <summary>True when an estimates row matched (districts), or some district had estimates (other levels).</summary>
    public required bool HasEstimates { get; init; }

    /// <summary>Ellipsoidal area in km2.</summary>
    public required double AreaKm2 { get; init; }

    /// <summary>The polygon layer's own attributes (districts; empty for dissolved levels).</summary>
    public IReadOnlyDictionary<string, object?> Attributes { get; init; } = EmptyAttributes;

    private static readonly IReadOnlyDictionary<string, object?> EmptyAttributes = new Dictionary<string, object?>();

    /// <summary>
    /// Builds <see cref="SourceGeometry"/> on first use, in place of setting it. It must not fail: a snapshot file
    /// checks the bytes it decodes before it builds the unit.
    /// </summary>
    internal Func<Geometry>? SourceDecoder
    {
        init => _sourceDecoder = value;
    }

    private Geometry DecodeSource()
    {
        var decoder = Volatile.Read(ref _sourceDecoder);
        if (decoder is null)
        {
            // Another thread published it between the two reads, or nothing ever set it.
            return Volatile.Read(ref _sourceGeometry)
                ?? throw new InvalidOperationException($"{Level} {Code} was built without a source geometry");
        }

        Interlocked.CompareExchange(ref _sourceGeometry, decoder(), null);
        // The decoder holds the encoded bytes: let them go once the geometry exists.
        Volatile.Write(ref _sourceDecoder, null);
        return _sourceGeometry!;
    }
}
