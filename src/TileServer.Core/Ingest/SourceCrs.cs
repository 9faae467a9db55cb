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

        CheckQuotes(wkt, filePath);
        CoordinateSystem source;
        try
        {
            source = CoordinateSystemWktReader.Parse(wkt.Trim() + SentinelQuotes) as CoordinateSystem
                ?? throw new DataFileException(filePath, "the projection WKT does not describe a coordinate system");
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException))
        {
            throw new DataFileException(filePath, $"cannot parse the projection WKT ({Innermost(e).Message})", e);
        }

        var geographic = source as GeographicCoordinateSystem
            ?? (source as ProjectedCoordinateSystem)?.GeographicCoordinateSystem
            ?? throw new DataFileException(filePath, $"unsupported coordinate system type {source.GetType().Name}; expected GEOGCS or PROJCS");

        CheckFinite(source, geographic, filePath);
        try
        {
            return Create(source, geographic, filePath);
        }
        catch (Exception e) when (e is not (DataFileException or OutOfMemoryException))
        {
            throw new DataFileException(filePath, $"cannot transform from {DataFileException.Excerpt(source.Name)} to WGS 84 ({Innermost(e).Message})", e);
        }
    }

    /// <summary>
    /// Appended after the WKT, which ProjNET reads only up to the end of its one object: should its tokenizer lose
    /// step with the quotes (fuzzing found <c>UNIT["Degre-",0.0174,433]</c> does), the quoted-name loop still meets a
    /// quote and stops, and the next token, a quote where a comma or bracket belongs, ends the parse with an error.
    /// </summary>
    private const string SentinelQuotes = "\n\"\"\"\"\"\"\"\"";

    /// <summary>
    /// Checks that every quoted name opens after <c>[</c> or <c>,</c> and closes before <c>,</c> or <c>]</c>.
    /// ProjNET 2.0's <c>WktStreamTokenizer.ReadDoubleQuotedWord</c> loops until it reads a closing quote and never
    /// checks for the end of the text: a <c>.prj</c> with an unclosed quote hangs it forever (found by fuzzing,
    /// <c>tests/TileServer.Fuzz</c>). With quotes paired this way, every name it starts reading has its closing quote.
    /// </summary>
    private static void CheckQuotes(string wkt, string filePath)
    {
        var previous = '[';
        for (var i = 0; i < wkt.Length; i++)
        {
            var c = wkt[i];
            if (char.IsWhiteSpace(c))
            {
                continue;
            }

            if (c == '"')
            {
                if (previous is not ('[' or ','))
                {
                    throw new DataFileException(filePath, $"cannot parse the projection WKT: a quote at character {i + 1} does not start a name (after '[' or ',')");
                }

                var close = wkt.IndexOf('"', i + 1);
                if (close < 0)
                {
                    throw new DataFileException(filePath, $"cannot parse the projection WKT: the name that starts at character {i + 1} has no closing quote");
                }

                var next = wkt.AsSpan(close + 1).TrimStart();
                if (next.Length > 0 && next[0] is not (',' or ']'))
                {
                    throw new DataFileException(filePath, $"cannot parse the projection WKT: the name that ends at character {close + 1} is followed by '{DataFileException.Excerpt(next[0].ToString())}', not ',' or ']'");
                }

                i = close;
                previous = '"';
                continue;
            }

            previous = c;
        }
    }

    /// <summary>
    /// Checks that the parameters ProjNET computes with are finite and positive where they must be. With a NaN or
    /// infinite one (<c>UNIT["Degree",0.0174E199433]</c>) the geographic system is not <c>EqualParams</c> to itself,
    /// and ProjNET 2.0's <c>Proj2Geog</c> and <c>CreateFromCoordinateSystems</c> call each other until the stack
    /// overflows, which no catch can stop (found by fuzzing, <c>tests/TileServer.Fuzz</c>).
    /// </summary>
    private static void CheckFinite(CoordinateSystem source, GeographicCoordinateSystem geographic, string filePath)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new DataFileException(filePath, $"the projection WKT has an unusable {what}");
            }
        }

        var ellipsoid = geographic.HorizontalDatum?.Ellipsoid;
        Require(ellipsoid is not null, "datum (no ellipsoid)");
        Require(double.IsFinite(ellipsoid!.SemiMajorAxis) && ellipsoid.SemiMajorAxis > 0, $"ellipsoid semi-major axis ({ellipsoid.SemiMajorAxis})");
        Require(double.IsFinite(ellipsoid.SemiMinorAxis) && ellipsoid.SemiMinorAxis > 0, $"ellipsoid semi-minor axis ({ellipsoid.SemiMinorAxis})");
        Require(double.IsFinite(ellipsoid.InverseFlattening) && ellipsoid.InverseFlattening >= 0, $"inverse flattening ({ellipsoid.InverseFlattening})");
        Require(geographic.AngularUnit is { RadiansPerUnit: > 0 and < double.PositiveInfinity }, "angular unit");
        Require(geographic.PrimeMeridian is { } meridian && double.IsFinite(meridian.Longitude), "prime meridian");
        if (geographic.HorizontalDatum!.Wgs84Parameters is { } shift)
        {
            Require(new[] { shift.Dx, shift.Dy, shift.Dz, shift.Ex, shift.Ey, shift.Ez, shift.Ppm }.All(double.IsFinite), "TOWGS84 shift");
        }

        if (source is ProjectedCoordinateSystem projected)
        {
            Require(projected.LinearUnit is { MetersPerUnit: > 0 and < double.PositiveInfinity }, "linear unit");
            Require(projected.Projection is not null, "projection (none given)");
            for (var i = 0; i < projected.Projection!.NumParameters; i++)
            {
                var parameter = projected.Projection.GetParameter(i);
                Require(double.IsFinite(parameter.Value), $"parameter {DataFileException.Excerpt(parameter.Name)} ({parameter.Value})");
            }
        }

        Require(geographic.EqualParams(geographic), "geographic coordinate system (it differs from itself)");
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

        if (_toWgs84 is { } toWgs84)
        {
            // ProjNET's inverse Transverse Mercator throws "No convergence" far outside the zone (found by fuzzing):
            // the first vertex it throws on ends the loop and is named, as it was before the transform.
            var vertex = (X: 0.0, Y: 0.0);
            try
            {
                ProjectedCopy.Apply(geometry, (ref double x, ref double y) =>
                {
                    vertex = (x, y);
                    toWgs84.Transform(ref x, ref y);
                });
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw new DataFileException(crsPath ?? dataPath, $"does not fit {dataPath}: {record} has a vertex ({vertex.X:G9}, {vertex.Y:G9}) that {DataFileException.Excerpt(Name)} cannot transform ({e.Message}): does the .prj belong to this file?", e);
            }
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
}
