using System.Globalization;
using System.Text;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Esri;
using NetTopologySuite.IO.Esri.Dbf.Fields;
using NetTopologySuite.IO.Esri.Shapefiles.Writers;

namespace TileServer.Core.Sample;

/// <summary>
/// Writes a synthetic country in the shape of the Peru data: a district shapefile (districts.shp/.shx/.dbf, a WGS 84
/// .prj in ESRI WKT, a UTF-8 .cpg; attributes UBIGEO, NOMBDEP, NOMBPROV, NOMBDIST, CAPITAL, REGNAT) and an estimates CSV
/// (estimates.csv, the columns of poverty.csv), for the embedded default dataset and for scale benchmarks.
/// </summary>
/// <remarks>
/// <para>Pipeline: <see cref="CountryShape"/> (outline around lon -75, lat -10, about 660 km across, a lake, islands,
/// cities) → <see cref="DistrictTessellation"/> (clipped Voronoi cells: a clean coverage whose neighbours share borders
/// exactly, with enclaves and island multipolygons) → <see cref="AdministrativeHierarchy"/> (contiguous provinces and
/// departments, 6-digit INEI-like codes) → names, natural regions and <see cref="SyntheticEstimates"/>.</para>
/// <para>Determinism: every random choice comes from <see cref="SampleRandom"/> streams derived from the seed, records are
/// written in code order and the dBASE header date is fixed, so the same seed and count give byte-identical files on
/// the same runtime and platform (the math library's transcendental functions may differ in the last bit elsewhere).</para>
/// <para>Cost: O(n log n) time, O(n) memory; 100,000 districts take a few seconds and a few hundred MB.
/// Thread safety: stateless; concurrent calls are safe when they write to different folders.</para>
/// </remarks>
public static class SampleCountryGenerator
{
    /// <summary>Base name of the district shapefile.</summary>
    public const string ShapefileName = "districts.shp";

    /// <summary>Name of the estimates CSV.</summary>
    public const string EstimatesFileName = "estimates.csv";

    /// <summary>Header of the estimates CSV, the columns of Peru's poverty.csv.</summary>
    public const string EstimatesHeader =
        "ubigeo,departamento,provincia,distrito,poblacion,pobreza_pct,pobreza_extrema_pct,idh,vulnerabilidad_alimentaria";

    /// <summary>WGS 84 in ESRI WKT, as ESRI software writes it (the same text as Peru's districts.prj).</summary>
    public const string EsriWgs84Wkt =
        "GEOGCS[\"GCS_WGS_1984\",DATUM[\"D_WGS_1984\",SPHEROID[\"WGS_1984\",6378137.0,298.257223563]]," +
        "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]]";

    private const double CapitalIsTownNameShare = 0.85;

    /// <summary>Generates the country and writes its files; see the type remarks.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The district count is outside the supported range.</exception>
    public static SampleCountryResult Generate(SampleCountryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DistrictCount, SampleCountryOptions.MinDistrictCount, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.DistrictCount, SampleCountryOptions.MaxDistrictCount, nameof(options));
        ArgumentException.ThrowIfNullOrWhiteSpace(options.OutputDirectory, nameof(options));

        var factory = new GeometryFactory(new PrecisionModel(), 4326);
        var country = CountryShape.Create(options.DistrictCount, new SampleRandom(options.Seed, SampleStream.Shape), factory);
        var tessellation = DistrictTessellation.Create(
            country, options.DistrictCount, new SampleRandom(options.Seed, SampleStream.Sites), factory);
        var hierarchy = AdministrativeHierarchy.Create(tessellation);
        var districts = Describe(tessellation, hierarchy, new SampleRandom(options.Seed, SampleStream.Names));

        var estimates = new SyntheticEstimates(country, new SampleRandom(options.Seed, SampleStream.Estimates));
        var rows = districts
            .Select(d => estimates.Estimate(d.Geometry, tessellation.SiteXKm[d.Index], tessellation.SiteYKm[d.Index], d.Region))
            .ToArray();
        var missingCells = estimates.BlankSome(rows);

        var directory = Path.GetFullPath(options.OutputDirectory);
        Directory.CreateDirectory(directory);
        var shapefilePath = Path.Combine(directory, ShapefileName);
        var estimatesPath = Path.Combine(directory, EstimatesFileName);
        WriteShapefile(shapefilePath, districts);
        WriteEstimates(estimatesPath, districts, rows);

        return new SampleCountryResult(
            shapefilePath,
            estimatesPath,
            districts.Length,
            hierarchy.ProvinceCount,
            hierarchy.DepartmentCount,
            LakeCount: 1,
            DistrictHoleCount: districts.Sum(d => InteriorRings(d.Geometry)),
            MultiPolygonCount: districts.Count(d => d.Geometry.NumGeometries > 1),
            tessellation.IslandCount,
            missingCells);
    }

    private static DistrictRecord[] Describe(DistrictTessellation tessellation, AdministrativeHierarchy hierarchy, SampleRandom random)
    {
        var order = Enumerable.Range(0, tessellation.Geometries.Count)
            .OrderBy(hierarchy.Ubigeo, StringComparer.Ordinal)
            .ToArray();
        var regionNames = new SyntheticNames(random);
        var districtNames = new SyntheticNames(random);
        var departmentNames = new Dictionary<int, string>();
        var provinceNames = new Dictionary<(int, int), string>();
        var records = new DistrictRecord[order.Length];
        for (var r = 0; r < order.Length; r++)
        {
            var i = order[r];
            var department = hierarchy.DepartmentNumber[i];
            var province = (department, hierarchy.ProvinceNumber[i]);
            if (!departmentNames.TryGetValue(department, out var departmentName))
            {
                departmentNames[department] = departmentName = regionNames.NextUnique();
            }

            if (!provinceNames.TryGetValue(province, out var provinceName))
            {
                provinceNames[province] = provinceName = regionNames.NextUnique();
                districtNames.ResetScope();
                districtNames.Reserve(provinceName);
            }

            // As in Peru, a province's first district is its capital district and carries the province's name.
            var districtName = hierarchy.DistrictNumber[i] == 1 ? provinceName : districtNames.NextUnique();
            var capital = random.Chance(CapitalIsTownNameShare) ? districtName : districtNames.NextUnique();
            records[r] = new DistrictRecord(
                i,
                hierarchy.Ubigeo(i),
                departmentName,
                provinceName,
                districtName,
                capital,
                RegionAt(tessellation.SiteXKm[i], tessellation.SiteYKm[i]),
                tessellation.Geometries[i]);
        }

        return records;
    }

    /// <summary>Coast in the west, highlands in the middle, jungle in the east, along slightly wavy lines.</summary>
    private static NaturalRegion RegionAt(double xKm, double yKm)
    {
        var u = (xKm / CountryShape.MeanRadiusKm) + (0.12 * Math.Sin((3 * yKm / CountryShape.MeanRadiusKm) + 0.7));
        return u < -0.5 ? NaturalRegion.Costa : u < 0.3 ? NaturalRegion.Sierra : NaturalRegion.Selva;
    }

    private static int InteriorRings(Geometry geometry)
    {
        var count = 0;
        for (var p = 0; p < geometry.NumGeometries; p++)
        {
            count += ((Polygon)geometry.GetGeometryN(p)).NumInteriorRings;
        }

        return count;
    }

    private static void WriteShapefile(string shapefilePath, DistrictRecord[] districts)
    {
        var ubigeo = new DbfCharacterField("UBIGEO", 6);
        var department = new DbfCharacterField("NOMBDEP", 40);
        var province = new DbfCharacterField("NOMBPROV", 40);
        var district = new DbfCharacterField("NOMBDIST", 60);
        var capital = new DbfCharacterField("CAPITAL", 60);
        var region = new DbfCharacterField("REGNAT", 10);
        var options = new ShapefileWriterOptions(ShapeType.Polygon, ubigeo, department, province, district, capital, region)
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Projection = EsriWgs84Wkt,
        };
        using (var writer = Shapefile.OpenWrite(shapefilePath, options))
        {
            foreach (var record in districts)
            {
                writer.Geometry = record.Geometry;
                ubigeo.StringValue = record.Ubigeo;
                department.StringValue = record.Department;
                province.StringValue = record.Province;
                district.StringValue = record.District;
                capital.StringValue = record.Capital;
                region.StringValue = record.Region.ToString();
                writer.Write();
            }
        }

        FixDbfDate(Path.ChangeExtension(shapefilePath, ".dbf"));
        File.WriteAllText(Path.ChangeExtension(shapefilePath, ".cpg"), "UTF-8", Encoding.ASCII);
    }

    /// <summary>
    /// Overwrites the dBASE "last update" date (header bytes 1-3, YY-1900, MM, DD), which the writer stamps with today's
    /// date, with a fixed one so that files made on different days are identical.
    /// </summary>
    private static void FixDbfDate(string dbfPath)
    {
        using var stream = new FileStream(dbfPath, FileMode.Open, FileAccess.Write);
        stream.Position = 1;
        stream.Write([2000 - 1900, 1, 1]);
    }

    private static void WriteEstimates(string estimatesPath, DistrictRecord[] districts, DistrictEstimates[] rows)
    {
        using var writer = new StreamWriter(estimatesPath, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false))
        {
            NewLine = "\n",
        };
        writer.WriteLine(EstimatesHeader);
        var line = new StringBuilder(160);
        for (var r = 0; r < districts.Length; r++)
        {
            var district = districts[r];
            var row = rows[r];

            // Generated names never contain commas or quotes, so no field needs CSV quoting.
            line.Clear()
                .Append(district.Ubigeo).Append(',')
                .Append(district.Department).Append(',')
                .Append(district.Province).Append(',')
                .Append(district.District).Append(',')
                .Append(Format(row.Population, "0")).Append(',')
                .Append(Format(row.PovertyPct, "0.00")).Append(',')
                .Append(Format(row.ExtremePovertyPct, "0.00")).Append(',')
                .Append(Format(row.HumanDevelopmentIndex, "0.0000")).Append(',')
                .Append(Format(row.FoodVulnerability, "0.0000"));
            writer.WriteLine(line);
        }
    }

    private static string Format(double? value, string format) =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? string.Empty;

    private static string Format(long? value, string format) =>
        value?.ToString(format, CultureInfo.InvariantCulture) ?? string.Empty;

    private sealed record DistrictRecord(
        int Index,
        string Ubigeo,
        string Department,
        string Province,
        string District,
        string Capital,
        NaturalRegion Region,
        Geometry Geometry);
}
