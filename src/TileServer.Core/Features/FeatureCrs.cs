using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Features;

/// <summary>
/// A coordinate reference system features can be asked in (OGC API - Features Part 2): <c>OGC:CRS84</c> (lon/lat,
/// the default), <c>EPSG:4326</c> (the same datum with latitude first, as the EPSG axis order says), Web Mercator
/// <c>EPSG:3857</c> and UTM zones 17S, 18S and 19S (<c>EPSG:32717</c>-<c>32719</c>, which cover Peru). Projections are
/// ProjNET's (<see cref="ProjectedCoordinateSystem.WGS84_UTM"/>, <see cref="ProjectedCoordinateSystem.WebMercator"/>).
/// </summary>
/// <remarks>
/// Coordinates are rounded when written: 7 decimals for degrees (about 1 cm, the cleaned coverage's 1e-7 degree grid)
/// and 3 for metres. Thread safety: instances are immutable; each call to <see cref="FromLonLat"/> or
/// <see cref="ToLonLat()"/> builds its own ProjNET transform, so concurrent requests share no transform state.
/// </remarks>
public sealed class FeatureCrs
{
    private readonly Func<CoordinateSystem>? _system;

    private FeatureCrs(string uri, string curie, int srid, bool latitudeFirst, Func<CoordinateSystem>? system, string wkt)
    {
        Uri = uri;
        Curie = curie;
        Srid = srid;
        LatitudeFirst = latitudeFirst;
        _system = system;
        Wkt = wkt;
    }

    public static FeatureCrs Crs84 { get; } = new("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", 4326, false, null, GeographicCoordinateSystem.WGS84.WKT);

    public static FeatureCrs Epsg4326 { get; } = new("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", 4326, true, null, GeographicCoordinateSystem.WGS84.WKT);

    /// <summary>Every supported CRS, the default first.</summary>
    public static IReadOnlyList<FeatureCrs> Supported { get; } =
    [
        Crs84,
        Epsg4326,
        Projected(3857, () => ProjectedCoordinateSystem.WebMercator),
        Projected(32717, () => ProjectedCoordinateSystem.WGS84_UTM(17, false)),
        Projected(32718, () => ProjectedCoordinateSystem.WGS84_UTM(18, false)),
        Projected(32719, () => ProjectedCoordinateSystem.WGS84_UTM(19, false)),
    ];

    /// <summary>The OGC URI (<c>http://www.opengis.net/def/crs/EPSG/0/4326</c>): what <c>crs</c> lists and <c>Content-Crs</c> names.</summary>
    public string Uri { get; }

    /// <summary>The short form, <c>EPSG:4326</c>.</summary>
    public string Curie { get; }

    /// <summary>The EPSG code of the datum and projection (4326 for both geographic forms): GeoPackage's <c>srs_id</c>.</summary>
    public int Srid { get; }

    /// <summary>True when the first axis is latitude (EPSG:4326): coordinates are written (lat, lon).</summary>
    public bool LatitudeFirst { get; }

    /// <summary>True for the projected systems (metres).</summary>
    public bool IsProjected => _system is not null;

    /// <summary>OGC WKT 1 of the system, for a shapefile's <c>.prj</c> and GeoPackage's <c>gpkg_spatial_ref_sys</c>.</summary>
    public string Wkt { get; }

    /// <summary>Decimals kept when writing coordinates: 7 for degrees, 3 for metres.</summary>
    public int Decimals => IsProjected ? 3 : 7;

    /// <summary>
    /// Reads a CRS given as an OGC URI (http or https, <c>/def/crs/EPSG/0/N</c> or <c>/def/crs/OGC/1.3/CRS84</c>), a
    /// safe CURIE (<c>[EPSG:4326]</c>), a CURIE (<c>EPSG:4326</c>, <c>OGC:CRS84</c>) or a URN
    /// (<c>urn:ogc:def:crs:EPSG::4326</c>); null when it is none of the supported systems.
    /// </summary>
    public static FeatureCrs? Find(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var value = text.Trim();
        if (value.StartsWith('[') && value.EndsWith(']'))
        {
            value = value[1..^1];
        }

        if (value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            value = "http://" + value[8..];
        }

        foreach (var crs in Supported)
        {
            if (value.Equals(crs.Uri, StringComparison.OrdinalIgnoreCase) || value.Equals(crs.Curie, StringComparison.OrdinalIgnoreCase)
                || value.Equals(crs.Urn, StringComparison.OrdinalIgnoreCase))
            {
                return crs;
            }
        }

        return value.Equals("http://www.opengis.net/def/crs/OGC/0/CRS84", StringComparison.OrdinalIgnoreCase) ? Crs84 : null;
    }

    private string Urn => "urn:ogc:def:crs:" + Curie.Replace(":", "::", StringComparison.Ordinal);

    /// <summary>A transform from WGS 84 lon/lat to this system's axes, in place: (x, y) in, (first, second axis) out.</summary>
    public CoordinateMapper FromLonLat()
    {
        if (_system is null)
        {
            return new CoordinateMapper(null, LatitudeFirst);
        }

        var transform = new CoordinateTransformationFactory().CreateFromCoordinateSystems(GeographicCoordinateSystem.WGS84, _system()).MathTransform;
        return new CoordinateMapper(transform, false);
    }

    /// <summary>A transform from this system's axes to WGS 84 lon/lat, in place.</summary>
    public CoordinateMapper ToLonLat()
    {
        if (_system is null)
        {
            return new CoordinateMapper(null, LatitudeFirst);
        }

        var transform = new CoordinateTransformationFactory().CreateFromCoordinateSystems(_system(), GeographicCoordinateSystem.WGS84).MathTransform;
        return new CoordinateMapper(transform, false);
    }

    /// <summary>A copy of <paramref name="geometry"/> (in this system's axes) in WGS 84 lon/lat.</summary>
    public Geometry ToLonLat(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (this == Crs84)
        {
            return geometry;
        }

        var mapper = ToLonLat();
        return ProjectedCopy.Of(geometry, mapper.Map);
    }

    public override string ToString() => Curie;

    private static FeatureCrs Projected(int code, Func<CoordinateSystem> system) =>
        new($"http://www.opengis.net/def/crs/EPSG/0/{code}", $"EPSG:{code}", code, false, system, system().WKT);
}

/// <summary>One coordinate transform between WGS 84 lon/lat and a <see cref="FeatureCrs"/>: a ProjNET transform, an axis swap, or nothing.</summary>
/// <remarks>Not thread-safe (ProjNET transforms are used from one thread): make one per request.</remarks>
public readonly struct CoordinateMapper
{
    private readonly MathTransform? _transform;
    private readonly bool _swap;

    internal CoordinateMapper(MathTransform? transform, bool swap)
    {
        _transform = transform;
        _swap = swap;
    }

    /// <summary>True when <see cref="Map"/> changes nothing (CRS84 to CRS84).</summary>
    public bool IsIdentity => _transform is null && !_swap;

    public void Map(ref double x, ref double y)
    {
        if (_transform is not null)
        {
            _transform.Transform(ref x, ref y);
        }
        else if (_swap)
        {
            (x, y) = (y, x);
        }
    }
}
