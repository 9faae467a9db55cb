namespace TileServer.Core.Geodesy;

/// <summary>
/// A local equirectangular frame around an origin: x = (lon - lon0) · m_λ · cos(lat0), y = (lat - lat0) · m_φ, in
/// metres or any other unit (<c>metresPerUnit</c>). The project's one way of measuring short distances and shapes in
/// a plane: gap widths and shared border lengths in coverage cleaning, the nearest-border search of the lookup, the
/// sample generator's layout in kilometres.
/// </summary>
/// <remarks>
/// <para>Scales: m_φ = 110,574 m per degree of latitude and m_λ = 111,320 m per degree of longitude, the lengths of a
/// degree of the WGS 84 meridian and of the equator at the equator (to the metre). Chosen over a sphere of the
/// semi-major axis (111,319.5 m for both): for Peru's latitudes (0° to 18.4° S) the true meridian degree is
/// 110,574 to 110,650 m, so the sphere overstates north-south distances by 0.6-0.7% and these constants by at most
/// 0.07%; east-west, 111,320 · cos(lat0) is within 0.1% of the ellipsoid's parallel. The frame's error grows with the
/// distance from the origin (the cosine is the origin's), so it suits segments and shapes a few kilometres across, or
/// synthetic data; exact distances use <see cref="Geodesic"/>, areas <see cref="EqualAreaProjection"/>.</para>
/// <para>Thread safety: an immutable value.</para>
/// </remarks>
public readonly struct LocalFrame
{
    /// <summary>Metres per degree of latitude (WGS 84 meridian at the equator).</summary>
    public const double MetresPerDegreeLatitude = 110_574;

    /// <summary>Metres per degree of longitude on the equator (WGS 84).</summary>
    public const double MetresPerDegreeLongitudeAtEquator = 111_320;

    /// <summary>A frame in metres around (<paramref name="originLon"/>, <paramref name="originLat"/>).</summary>
    public LocalFrame(double originLon, double originLat)
        : this(originLon, originLat, 1)
    {
    }

    /// <summary>A frame in units of <paramref name="metresPerUnit"/> metres (1000: kilometres).</summary>
    public LocalFrame(double originLon, double originLat, double metresPerUnit)
    {
        OriginLon = originLon;
        OriginLat = originLat;
        UnitsPerDegreeLatitude = MetresPerDegreeLatitude / metresPerUnit;
        UnitsPerDegreeLongitude = MetresPerDegreeLongitudeAtEquator / metresPerUnit * Math.Cos(originLat * Math.PI / 180);
    }

    public double OriginLon { get; }

    public double OriginLat { get; }

    /// <summary>Frame units per degree of latitude.</summary>
    public double UnitsPerDegreeLatitude { get; }

    /// <summary>Frame units per degree of longitude at the origin's latitude.</summary>
    public double UnitsPerDegreeLongitude { get; }

    public double X(double lon) => (lon - OriginLon) * UnitsPerDegreeLongitude;

    public double Y(double lat) => (lat - OriginLat) * UnitsPerDegreeLatitude;

    public double Lon(double x) => OriginLon + (x / UnitsPerDegreeLongitude);

    public double Lat(double y) => OriginLat + (y / UnitsPerDegreeLatitude);
}
