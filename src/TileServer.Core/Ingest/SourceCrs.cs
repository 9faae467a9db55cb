using NetTopologySuite.Geometries;
using ProjNet.CoordinateSystems;
using ProjNet.CoordinateSystems.Transformations;
using ProjNet.IO.CoordinateSystems;

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

    private SourceCrs(string name, MathTransform? toWgs84, string? warning, bool isProjected)
    {
        Name = name;
        _toWgs84 = toWgs84;
        Warning = warning;
        IsProjected = isProjected;
    }

    /// <summary>WGS 84 lon/lat: what GeoJSON (RFC 7946) and a shapefile without <c>.prj</c> are taken to be.</summary>
    public static SourceCrs Wgs84 { get; } = new("WGS 84", null, null, isProjected: false);

    public string Name { get; }

    /// <summary>True for a projected CRS (coordinates in metres or feet), false for longitude/latitude.</summary>
    public bool IsProjected { get; }

    public bool IsWgs84 => _toWgs84 is null;

    /// <summary>A caveat about the transform, or null.</summary>
    public string? Warning { get; }

    /// <summary>Parses a <c>.prj</c> text; throws <see cref="DataFileException"/> naming <paramref name="filePath"/> when it cannot.</summary>
    /// <remarks>
    /// ProjNET is a third-party parser of untrusted text: besides its documented exceptions it throws
    /// <see cref="NullReferenceException"/>, <see cref="InvalidCastException"/> and, for projections missing a
    /// parameter (Krovak, LCC), a <see cref="System.Reflection.TargetInvocationException"/> around the real cause.
    /// Every exception out of it is one "cannot use this .prj" to the operator, so all are caught here, and the
    /// innermost message is the one shown.
    /// </remarks>
    public static SourceCrs Parse(string wkt, string filePath)
    {
        ArgumentNullException.ThrowIfNull(wkt);
        if (wkt.Length > LoadLimits.MaxSidecarBytes)
        {
            throw new DataFileException(filePath, $"{wkt.Length:N0} characters; a projection file is at most {LoadLimits.MaxSidecarBytes:N0}");
        }

        if (string.IsNullOrWhiteSpace(wkt))
        {
            throw new DataFileException(filePath, "file is empty: delete it to read the coordinates as WGS 84 longitude/latitude, or write the layer's projection in it");
        }

        CoordinateSystem source;
        try
        {
            source = CoordinateSystemWktReader.Parse(wkt.Trim()) as CoordinateSystem
                ?? throw new DataFileException(filePath, "the projection WKT does not describe a coordinate system");
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException))
        {
            throw new DataFileException(filePath, $"cannot parse the projection WKT ({Innermost(e).Message})", e);
        }

        var geographic = source as GeographicCoordinateSystem
            ?? (source as ProjectedCoordinateSystem)?.GeographicCoordinateSystem
            ?? throw new DataFileException(filePath, $"unsupported coordinate system type {source.GetType().Name}; expected GEOGCS or PROJCS");

        try
        {
            return Create(source, geographic, filePath);
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException))
        {
            throw new DataFileException(filePath, $"cannot transform from {DataFileException.Excerpt(source.Name)} to WGS 84 ({Innermost(e).Message})", e);
        }
    }

    private static SourceCrs Create(CoordinateSystem source, GeographicCoordinateSystem geographic, string filePath)
    {
        string? warning = null;
        var ellipsoid = geographic.HorizontalDatum?.Ellipsoid
            ?? throw new DataFileException(filePath, "the geographic coordinate system has no datum or ellipsoid");
        var onWgs84Ellipsoid = Math.Abs(ellipsoid.SemiMajorAxis - Wgs84SemiMajor) < 1e-3
            && Math.Abs(ellipsoid.InverseFlattening - Wgs84InverseFlattening) < 1e-6;
        if (!onWgs84Ellipsoid && geographic.HorizontalDatum.Wgs84Parameters is null)
        {
            warning = $"datum {DataFileException.Excerpt(geographic.HorizontalDatum.Name)} has no TOWGS84 parameters: coordinates are not shifted to the WGS 84 datum";
        }

        if (source is GeographicCoordinateSystem g && onWgs84Ellipsoid
            && Math.Abs(g.PrimeMeridian.Longitude) < 1e-12
            && Math.Abs(g.AngularUnit.RadiansPerUnit - (Math.PI / 180)) < 1e-12)
        {
            return new SourceCrs(source.Name, null, warning, isProjected: false);
        }

        var transform = new CoordinateTransformationFactory()
            .CreateFromCoordinateSystems(source, GeographicCoordinateSystem.WGS84).MathTransform;
        return new SourceCrs(source.Name, transform, warning, source is ProjectedCoordinateSystem);
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    /// <summary>
    /// Transforms every coordinate of <paramref name="geometry"/> to WGS 84 lon/lat in place, then checks that each is
    /// a longitude in -180..180 and a latitude in -90..90. Coordinates out of range are the sign of a wrong or missing
    /// <c>.prj</c>, and are reported here, naming the record, before they reach the coverage engines.
    /// </summary>
    /// <param name="dataPath">The file holding the coordinates, named when they are not longitude/latitude.</param>
    /// <param name="crsPath">The file that declared this CRS (the <c>.prj</c>), named when the data does not fit it; null when none did.</param>
    /// <param name="record">What to call the geometry in a message ("record 12", "feature 3").</param>
    /// <exception cref="DataFileException">The coordinates do not fit this CRS.</exception>
    public void ToWgs84(Geometry geometry, string dataPath, string? crsPath, string record)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (IsProjected && crsPath is not null && LooksLikeDegrees(geometry.EnvelopeInternal))
        {
            var e = geometry.EnvelopeInternal;
            throw new DataFileException(crsPath, $"does not fit {dataPath}: {record}'s coordinates ({e.MinX:G6}..{e.MaxX:G6}, {e.MinY:G6}..{e.MaxY:G6}) look like longitude/latitude degrees, but the .prj declares the projected {DataFileException.Excerpt(Name)} in metres: does the .prj belong to this file?");
        }

        if (_toWgs84 is not null)
        {
            geometry.Apply(new TransformFilter(_toWgs84));
            geometry.GeometryChanged();
        }

        var outside = FirstOutsideLonLat(geometry);
        if (outside is not { } c)
        {
            return;
        }

        var metres = Math.Abs(c.X) > 1000 || Math.Abs(c.Y) > 1000;
        if (crsPath is not null)
        {
            var problem = _toWgs84 is not null
                ? $"{record} has a vertex that {DataFileException.Excerpt(Name)} puts at longitude {c.X:G6}, latitude {c.Y:G6}, outside the Earth"
                : $"{record} has a vertex at ({c.X:G9}, {c.Y:G9}), not longitude/latitude as the .prj ({DataFileException.Excerpt(Name)}) declares{(metres ? "; it looks like projected metres" : string.Empty)}";
            throw new DataFileException(crsPath, $"does not fit {dataPath}: {problem}: does the .prj belong to this file?");
        }

        var hint = !metres ? string.Empty
            : dataPath.EndsWith(".shp", StringComparison.OrdinalIgnoreCase) ? "; it looks like projected metres: is the .prj missing?"
            : "; it looks like projected metres: GeoJSON is WGS 84 longitude/latitude (RFC 7946), reproject it (ogr2ogr -t_srs EPSG:4326)";
        throw new DataFileException(dataPath, $"{record}: coordinate ({c.X:G9}, {c.Y:G9}) is not a longitude in -180..180 and a latitude in -90..90{hint}");
    }

    private static bool LooksLikeDegrees(Envelope e) =>
        e.MinX >= -180 && e.MaxX <= 180 && e.MinY >= -90 && e.MaxY <= 90;

    /// <summary>The first coordinate that is not a longitude/latitude (NaN included: an envelope would skip it).</summary>
    private static Coordinate? FirstOutsideLonLat(Geometry geometry)
    {
        var finder = new OutsideLonLatFinder();
        geometry.Apply(finder);
        return finder.Found;
    }

    private sealed class OutsideLonLatFinder : IEntireCoordinateSequenceFilter
    {
        public Coordinate? Found { get; private set; }

        public bool Done => Found is not null;

        public bool GeometryChanged => false;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = (seq.GetX(i), seq.GetY(i));
                if (!(Math.Abs(x) <= 180 && Math.Abs(y) <= 90))
                {
                    Found = new Coordinate(x, y);
                    return;
                }
            }
        }
    }

    private sealed class TransformFilter(MathTransform transform) : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;

        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var x = seq.GetX(i);
                var y = seq.GetY(i);
                transform.Transform(ref x, ref y);
                seq.SetX(i, x);
                seq.SetY(i, y);
            }
        }
    }
}
