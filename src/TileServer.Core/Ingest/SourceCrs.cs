using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using ProjNet.IO.CoordinateSystems;
using TileServer.Core.Geodesy;

namespace TileServer.Core.Ingest;

/// <summary>
/// The coordinate reference system of a source layer, parsed from ESRI or OGC WKT with ProjNET, and the transform
/// from it to WGS 84 lon/lat (none when the source already is WGS 84 geographic in degrees).
/// </summary>
/// <remarks>
/// A source datum without TOWGS84 parameters is taken as WGS 84 (ProjNET cannot shift it); that is reported as a
/// warning, since for datums such as PSAD56 the error reaches hundreds of metres.
/// Thread safety: instances are immutable; <see cref="ToWgs84"/> mutates only the geometry it is given.
/// </remarks>
public sealed class SourceCrs
{
    private const double Wgs84SemiMajor = 6378137.0;
    private const double Wgs84InverseFlattening = 298.257223563;

    private readonly MathTransform? _toWgs84;

    private SourceCrs(string name, MathTransform? toWgs84, string? warning)
    {
        Name = name;
        _toWgs84 = toWgs84;
        Warning = warning;
    }

    /// <summary>WGS 84 lon/lat: what GeoJSON (RFC 7946) and a shapefile without <c>.prj</c> are taken to be.</summary>
    public static SourceCrs Wgs84 { get; } = new("WGS 84", null, null);

    public string Name { get; }

    public bool IsWgs84 => _toWgs84 is null;

    /// <summary>A caveat about the transform, or null.</summary>
    public string? Warning { get; }

    /// <summary>Parses a <c>.prj</c> text; throws <see cref="DataFileException"/> naming <paramref name="filePath"/> when it cannot.</summary>
    public static SourceCrs Parse(string wkt, string filePath)
    {
        CoordinateSystem source;
        try
        {
            source = CoordinateSystemWktReader.Parse(wkt.Trim()) as CoordinateSystem
                ?? throw new DataFileException(filePath, "the projection WKT does not describe a coordinate system");
        }
        catch (DataFileException)
        {
            throw;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new DataFileException(filePath, $"cannot parse the projection WKT ({e.Message})", e);
        }

        var geographic = source as GeographicCoordinateSystem
            ?? (source as ProjectedCoordinateSystem)?.GeographicCoordinateSystem
            ?? throw new DataFileException(filePath, $"unsupported coordinate system type {source.GetType().Name}; expected GEOGCS or PROJCS");

        string? warning = null;
        var ellipsoid = geographic.HorizontalDatum.Ellipsoid;
        var onWgs84Ellipsoid = Math.Abs(ellipsoid.SemiMajorAxis - Wgs84SemiMajor) < 1e-3
            && Math.Abs(ellipsoid.InverseFlattening - Wgs84InverseFlattening) < 1e-6;
        if (!onWgs84Ellipsoid && geographic.HorizontalDatum.Wgs84Parameters is null)
        {
            warning = $"datum {geographic.HorizontalDatum.Name} has no TOWGS84 parameters: coordinates are not shifted to the WGS 84 datum";
        }

        if (source is GeographicCoordinateSystem g && onWgs84Ellipsoid
            && Math.Abs(g.PrimeMeridian.Longitude) < 1e-12
            && Math.Abs(g.AngularUnit.RadiansPerUnit - (Math.PI / 180)) < 1e-12)
        {
            return new SourceCrs(source.Name, null, warning);
        }

        try
        {
            var transform = new CoordinateTransformationFactory()
                .CreateFromCoordinateSystems(source, GeographicCoordinateSystem.WGS84).MathTransform;
            return new SourceCrs(source.Name, transform, warning);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException)
        {
            throw new DataFileException(filePath, $"cannot transform from {source.Name} to WGS 84 ({e.Message})", e);
        }
    }

    /// <summary>Transforms every coordinate of <paramref name="geometry"/> to WGS 84 lon/lat in place.</summary>
    public void ToWgs84(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (_toWgs84 is null)
        {
            return;
        }

        ProjectedCopy.Apply(geometry, _toWgs84.Transform);
    }
}
