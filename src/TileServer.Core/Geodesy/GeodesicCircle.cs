using NetTopologySuite.Geometries;

namespace TileServer.Core.Geodesy;

/// <summary>
/// A geodesic circle on WGS 84 (every point at a given geodesic distance from a centre) as a lon/lat polygon whose
/// vertices are exact points of the circle, found with <see cref="Geodesic.Direct"/> at evenly spaced azimuths.
/// </summary>
/// <remarks>
/// <para>An inscribed N-gon misses a fraction 1 - sin(2π/N)/(2π/N) ≈ (2π/N)²/6 of the circle's area (exactly so on a
/// plane; on the ellipsoid the vertices are still evenly spaced in azimuth and the local distortion of the equal-area
/// plane is smooth, so the deficit is the same to first order). <see cref="DefaultVertexCount"/> = 128 gives
/// 0.040%, under the 0.1% the aggregation method allows; <see cref="VertexCountFor"/> picks N for another bound.</para>
/// <para>Longitudes are not wrapped: a circle crossing the antimeridian gets longitudes beyond ±180, which query
/// validation rejects. The ring is counter-clockwise (the RFC 7946 orientation of an exterior ring).</para>
/// <para>Thread safety: stateless, safe from any thread.</para>
/// </remarks>
public static class GeodesicCircle
{
    /// <summary>Vertices used when none is asked for: area deficit 0.040%.</summary>
    public const int DefaultVertexCount = 128;

    /// <summary>The smallest multiple of 4 of vertices whose inscribed polygon misses at most
    /// <paramref name="maxRelativeAreaError"/> of the circle's area.</summary>
    public static int VertexCountFor(double maxRelativeAreaError)
    {
        if (!(maxRelativeAreaError is > 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxRelativeAreaError), maxRelativeAreaError, "The relative area error must lie in (0, 1).");
        }

        var n = 8;
        while (RelativeAreaDeficit(n) > maxRelativeAreaError)
        {
            n += 4;
        }

        return n;
    }

    /// <summary>The fraction of a circle's area that an inscribed regular polygon of <paramref name="vertexCount"/>
    /// vertices misses: 1 - sin(2π/N)/(2π/N).</summary>
    public static double RelativeAreaDeficit(int vertexCount)
    {
        var step = 2 * Math.PI / vertexCount;
        return 1 - (Math.Sin(step) / step);
    }

    /// <summary>The circle of <paramref name="radiusMetres"/> around (<paramref name="lon"/>, <paramref name="lat"/>)
    /// as a polygon of <paramref name="vertexCount"/> vertices.</summary>
    public static Polygon Create(GeometryFactory factory, double lon, double lat, double radiusMetres, int vertexCount = DefaultVertexCount)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(vertexCount, 8);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(radiusMetres);

        var coordinates = new Coordinate[vertexCount + 1];
        for (var i = 0; i < vertexCount; i++)
        {
            // Azimuths run clockwise from north, so walking them backwards makes a counter-clockwise ring.
            var azimuth = 360.0 * (vertexCount - i) / vertexCount;
            var end = Geodesic.Direct(lat, lon, azimuth, radiusMetres);
            var dLon = end.Lon - lon;
            dLon -= 360 * Math.Round(dLon / 360);
            coordinates[i] = new Coordinate(lon + dLon, end.Lat);
        }

        coordinates[vertexCount] = coordinates[0].Copy();
        return factory.CreatePolygon(coordinates);
    }
}
