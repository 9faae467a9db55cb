using System.Text;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Esri;

namespace TileServer.Core.Tests.Support;

/// <summary>Tiny hand-made layers written as real shapefiles and CSVs, for tests that need exact expectations.</summary>
public static class SmallLayers
{
    public static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    public const string Wgs84Prj = "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]],PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

    public static Polygon Box(double minX, double minY, double maxX, double maxY) =>
        Factory.CreatePolygon([new(minX, minY), new(minX, maxY), new(maxX, maxY), new(maxX, minY), new(minX, minY)]);

    /// <summary>A polygon of one ring through <paramref name="points"/>, closed by repeating the first.</summary>
    public static Polygon Ring(params (double X, double Y)[] points) =>
        Factory.CreatePolygon([.. points.Select(p => new Coordinate(p.X, p.Y)), new Coordinate(points[0].X, points[0].Y)]);

    /// <summary>Four 1-degree squares in a 2x2 grid near Lima: districts 010101, 010102 (province 0101) and 010201, 020101.</summary>
    public static IReadOnlyList<(string Code, string Name, Geometry Geometry)> FourSquares() =>
    [
        ("010101", "UNO", Box(-77, -13, -76, -12)),
        ("010102", "DOS ÑANDÚ", Box(-76, -13, -75, -12)),
        ("010201", "TRES", Box(-77, -12, -76, -11)),
        ("020101", "CUATRO", Box(-76, -12, -75, -11)),
    ];

    /// <summary>Writes districts as a shapefile with UBIGEO and NOMBDIST fields; returns the .shp path.</summary>
    public static string WriteShapefile(string folder, IEnumerable<(string Code, string Name, Geometry Geometry)> districts, string name = "districts", string? prj = Wgs84Prj, Encoding? encoding = null)
    {
        var features = districts.Select(d => new Feature(d.Geometry, new AttributesTable { { "UBIGEO", d.Code }, { "NOMBDIST", d.Name } }));
        var shp = Path.Combine(folder, name + ".shp");
        Shapefile.WriteAllFeatures(features, shp, prj, encoding ?? Encoding.UTF8);
        return shp;
    }

    public static string WriteCsv(string folder, string content, string name = "estimates.csv")
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    public const string FourSquaresCsv =
        "ubigeo,departamento,provincia,distrito,poblacion,pobreza_pct\n" +
        "010101,AMAZONAS,CHACHAPOYAS,UNO,1000,10\n" +
        "010102,AMAZONAS,CHACHAPOYAS,DOS,3000,30\n" +
        "010201,AMAZONAS,BAGUA,TRES,,50\n" +
        "20101,ANCASH,HUARAZ,CUATRO,500,\n";
}
