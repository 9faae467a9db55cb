namespace TileServer.Core.Geodesy;

/// <summary>The end of a geodesic from the direct problem: latitude and longitude in degrees, and the forward
/// azimuth at that end (degrees clockwise from north).</summary>
public readonly record struct GeodesicEnd(double Lat, double Lon, double Azimuth);

/// <summary>The solution of the inverse problem: geodesic distance in metres and the forward azimuths at both ends
/// (degrees clockwise from north).</summary>
public readonly record struct GeodesicLine(double DistanceMetres, double Azimuth1, double Azimuth2);

/// <summary>
/// Geodesics on the WGS 84 ellipsoid by Vincenty's formulae (T. Vincenty, "Direct and inverse solutions of geodesics
/// on the ellipsoid with application of nested equations", Survey Review 23(176), 1975, pp. 88-93): the direct problem
/// (start, azimuth, distance to end point) and the inverse problem (two points to distance and azimuths).
/// </summary>
/// <remarks>
/// Accuracy is about 0.1 mm at any distance for the direct problem, which converges everywhere. The inverse iteration
/// converges except for nearly antipodal points (more than about 179.5° of longitude apart near the equator), where
/// <see cref="Inverse"/> throws <see cref="ArgumentOutOfRangeException"/>; the server only needs the inverse for
/// distances of a few thousand kilometres. Hand-written because neither NetTopologySuite nor ProjNET solves geodesics.
/// Thread safety: stateless, safe from any thread; allocates nothing.
/// </remarks>
public static class Geodesic
{
    private const double A = EqualAreaProjection.SemiMajorAxis;
    private const double F = EqualAreaProjection.Flattening;
    private const double B = A * (1 - F);
    private const double DegToRad = Math.PI / 180;
    private const double RadToDeg = 180 / Math.PI;
    private const int MaxIterations = 200;

    /// <summary>Solves the direct problem: the point reached from (<paramref name="lat"/>, <paramref name="lon"/>)
    /// along the geodesic that leaves at <paramref name="azimuth"/> degrees, after <paramref name="distanceMetres"/>.</summary>
    public static GeodesicEnd Direct(double lat, double lon, double azimuth, double distanceMetres)
    {
        var alpha1 = azimuth * DegToRad;
        var sinAlpha1 = Math.Sin(alpha1);
        var cosAlpha1 = Math.Cos(alpha1);

        var tanU1 = (1 - F) * Math.Tan(lat * DegToRad);
        var cosU1 = 1 / Math.Sqrt(1 + (tanU1 * tanU1));
        var sinU1 = tanU1 * cosU1;
        var sigma1 = Math.Atan2(tanU1, cosAlpha1);
        var sinAlpha = cosU1 * sinAlpha1;
        var cosSqAlpha = 1 - (sinAlpha * sinAlpha);
        var uSq = cosSqAlpha * ((A * A) - (B * B)) / (B * B);
        var bigA = 1 + (uSq / 16384 * (4096 + (uSq * (-768 + (uSq * (320 - (175 * uSq)))))));
        var bigB = uSq / 1024 * (256 + (uSq * (-128 + (uSq * (74 - (47 * uSq))))));

        var sigma = distanceMetres / (B * bigA);
        double sinSigma, cosSigma, cos2SigmaM;
        var iterations = 0;
        while (true)
        {
            cos2SigmaM = Math.Cos((2 * sigma1) + sigma);
            sinSigma = Math.Sin(sigma);
            cosSigma = Math.Cos(sigma);
            var deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4 * ((cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))
                - (bigB / 6 * cos2SigmaM * (-3 + (4 * sinSigma * sinSigma)) * (-3 + (4 * cos2SigmaM * cos2SigmaM))))));
            var next = (distanceMetres / (B * bigA)) + deltaSigma;
            var converged = Math.Abs(next - sigma) < 1e-13;
            sigma = next;
            if (converged || ++iterations >= MaxIterations)
            {
                break;
            }
        }

        cos2SigmaM = Math.Cos((2 * sigma1) + sigma);
        sinSigma = Math.Sin(sigma);
        cosSigma = Math.Cos(sigma);
        var tmp = (sinU1 * sinSigma) - (cosU1 * cosSigma * cosAlpha1);
        var lat2 = Math.Atan2((sinU1 * cosSigma) + (cosU1 * sinSigma * cosAlpha1), (1 - F) * Math.Sqrt((sinAlpha * sinAlpha) + (tmp * tmp)));
        var lambda = Math.Atan2(sinSigma * sinAlpha1, (cosU1 * cosSigma) - (sinU1 * sinSigma * cosAlpha1));
        var c = F / 16 * cosSqAlpha * (4 + (F * (4 - (3 * cosSqAlpha))));
        var l = lambda - ((1 - c) * F * sinAlpha * (sigma + (c * sinSigma * (cos2SigmaM + (c * cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))))));
        var alpha2 = Math.Atan2(sinAlpha, -tmp);

        return new GeodesicEnd(lat2 * RadToDeg, NormalizeLongitude(lon + (l * RadToDeg)), NormalizeAzimuth(alpha2 * RadToDeg));
    }

    /// <summary>Solves the inverse problem between two points given in degrees.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The points are nearly antipodal and the iteration does not converge.</exception>
    public static GeodesicLine Inverse(double lat1, double lon1, double lat2, double lon2)
    {
        var l = NormalizeLongitude(lon2 - lon1) * DegToRad;
        var tanU1 = (1 - F) * Math.Tan(lat1 * DegToRad);
        var cosU1 = 1 / Math.Sqrt(1 + (tanU1 * tanU1));
        var sinU1 = tanU1 * cosU1;
        var tanU2 = (1 - F) * Math.Tan(lat2 * DegToRad);
        var cosU2 = 1 / Math.Sqrt(1 + (tanU2 * tanU2));
        var sinU2 = tanU2 * cosU2;

        var lambda = l;
        double sinLambda, cosLambda, sinSigma, cosSigma, sigma, sinAlpha, cosSqAlpha, cos2SigmaM;
        var iterations = 0;
        while (true)
        {
            sinLambda = Math.Sin(lambda);
            cosLambda = Math.Cos(lambda);
            var t1 = cosU2 * sinLambda;
            var t2 = (cosU1 * sinU2) - (sinU1 * cosU2 * cosLambda);
            sinSigma = Math.Sqrt((t1 * t1) + (t2 * t2));
            if (sinSigma == 0)
            {
                return new GeodesicLine(0, 0, 0);
            }

            cosSigma = (sinU1 * sinU2) + (cosU1 * cosU2 * cosLambda);
            sigma = Math.Atan2(sinSigma, cosSigma);
            sinAlpha = cosU1 * cosU2 * sinLambda / sinSigma;
            cosSqAlpha = 1 - (sinAlpha * sinAlpha);

            // On the equator cos²α = 0 and the term vanishes.
            cos2SigmaM = cosSqAlpha != 0 ? cosSigma - (2 * sinU1 * sinU2 / cosSqAlpha) : 0;
            var c = F / 16 * cosSqAlpha * (4 + (F * (4 - (3 * cosSqAlpha))));
            var previous = lambda;
            lambda = l + ((1 - c) * F * sinAlpha * (sigma + (c * sinSigma * (cos2SigmaM + (c * cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))))));
            if (Math.Abs(lambda - previous) < 1e-13)
            {
                break;
            }

            if (++iterations >= MaxIterations)
            {
                throw new ArgumentOutOfRangeException(nameof(lon2), "Vincenty's inverse does not converge for nearly antipodal points.");
            }
        }

        var uSq = cosSqAlpha * ((A * A) - (B * B)) / (B * B);
        var bigA = 1 + (uSq / 16384 * (4096 + (uSq * (-768 + (uSq * (320 - (175 * uSq)))))));
        var bigB = uSq / 1024 * (256 + (uSq * (-128 + (uSq * (74 - (47 * uSq))))));
        var deltaSigma = bigB * sinSigma * (cos2SigmaM + (bigB / 4 * ((cosSigma * (-1 + (2 * cos2SigmaM * cos2SigmaM)))
            - (bigB / 6 * cos2SigmaM * (-3 + (4 * sinSigma * sinSigma)) * (-3 + (4 * cos2SigmaM * cos2SigmaM))))));
        var distance = B * bigA * (sigma - deltaSigma);
        var alpha1 = Math.Atan2(cosU2 * sinLambda, (cosU1 * sinU2) - (sinU1 * cosU2 * cosLambda));
        var alpha2 = Math.Atan2(cosU1 * sinLambda, (-sinU1 * cosU2) + (cosU1 * sinU2 * cosLambda));
        return new GeodesicLine(distance, NormalizeAzimuth(alpha1 * RadToDeg), NormalizeAzimuth(alpha2 * RadToDeg));
    }

    private static double NormalizeLongitude(double lon)
    {
        var x = Math.IEEERemainder(lon, 360);
        return x == -180 ? 180 : x;
    }

    private static double NormalizeAzimuth(double azimuth)
    {
        var x = azimuth % 360;
        return x < 0 ? x + 360 : x;
    }
}
