using System.Globalization;
using NetTopologySuite.Coverage;
using NetTopologySuite.Geometries;
using TileServer.Core.Geodesy;
using TileServer.Core.Sample;

namespace TileServer.Core.Tests.Sample;

public sealed class SampleCountryGeneratorTests(SmallCountryFixture fixture) : IClassFixture<SmallCountryFixture>
{
    private static readonly string[] WrittenFiles =
        ["districts.shp", "districts.shx", "districts.dbf", "districts.prj", "districts.cpg", "estimates.csv"];

    private GeneratedCountry Country => fixture.Country;

    [Fact]
    public void Same_seed_and_count_give_byte_identical_files()
    {
        using var again = new GeneratedCountry(districtCount: 300, seed: 7);

        foreach (var file in WrittenFiles)
        {
            var first = File.ReadAllBytes(Path.Combine(Country.Directory, file));
            var second = File.ReadAllBytes(Path.Combine(again.Directory, file));
            Assert.True(first.AsSpan().SequenceEqual(second), $"{file} differs between two runs with the same seed");
        }
    }

    [Fact]
    public void Another_seed_gives_another_country()
    {
        using var other = new GeneratedCountry(districtCount: 300, seed: 8);

        var first = File.ReadAllBytes(Path.Combine(Country.Directory, "districts.shp"));
        var second = File.ReadAllBytes(Path.Combine(other.Directory, "districts.shp"));
        Assert.False(first.AsSpan().SequenceEqual(second));
    }

    [Fact]
    public void Writes_the_requested_number_of_districts_with_wgs84_prj_and_utf8_cpg()
    {
        Assert.Equal(300, Country.Result.DistrictCount);
        Assert.Equal(300, Country.Features.Length);
        Assert.Equal(SampleCountryGenerator.EsriWgs84Wkt, File.ReadAllText(Path.Combine(Country.Directory, "districts.prj")));
        Assert.Equal("UTF-8", File.ReadAllText(Path.Combine(Country.Directory, "districts.cpg")));
        foreach (var feature in Country.Features)
        {
            var envelope = feature.Geometry.EnvelopeInternal;
            Assert.InRange(envelope.MinX, -180, 180);
            Assert.InRange(envelope.MaxX, -180, 180);
            Assert.InRange(envelope.MinY, -90, 90);
            Assert.InRange(envelope.MaxY, -90, 90);
        }
    }

    [Fact]
    public void Districts_form_a_clean_coverage_of_valid_polygons()
    {
        var geometries = Country.Features.Select(f => f.Geometry).ToArray();

        Assert.All(geometries, g => Assert.True(g.IsValid, $"invalid district geometry {g.EnvelopeInternal}"));
        Assert.All(geometries, g => Assert.True(g is Polygon or MultiPolygon));
        var invalidEdges = CoverageValidator.Validate(geometries);
        Assert.All(invalidEdges, edge => Assert.Null(edge));
        Assert.True(CoverageValidator.IsValid(geometries));
    }

    [Fact]
    public void Codes_are_unique_six_digits_and_their_prefixes_match_the_department_and_province_names()
    {
        var codes = Country.Features.Select(f => GeneratedCountry.Attribute(f, "UBIGEO")).ToArray();

        Assert.All(codes, code => Assert.Matches("^[0-9]{6}$", code));
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.Contains(codes, code => code.StartsWith('0'));

        var departmentOfPrefix = Country.Features
            .GroupBy(f => GeneratedCountry.Attribute(f, "UBIGEO")[..2])
            .ToDictionary(g => g.Key, g => g.Select(f => GeneratedCountry.Attribute(f, "NOMBDEP")).Distinct().Single());
        var provinceOfPrefix = Country.Features
            .GroupBy(f => GeneratedCountry.Attribute(f, "UBIGEO")[..4])
            .ToDictionary(g => g.Key, g => g.Select(f => GeneratedCountry.Attribute(f, "NOMBPROV")).Distinct().Single());
        Assert.Equal(departmentOfPrefix.Count, departmentOfPrefix.Values.Distinct().Count());
        Assert.Equal(provinceOfPrefix.Count, provinceOfPrefix.Values.Distinct().Count());
        Assert.Equal(Country.Result.DepartmentCount, departmentOfPrefix.Count);
        Assert.Equal(Country.Result.ProvinceCount, provinceOfPrefix.Count);
        Assert.InRange(Country.Result.DepartmentCount, 3, 99);
        Assert.InRange(Country.Result.ProvinceCount, Country.Result.DepartmentCount + 1, 300);

        // Each province's capital district 01 exists and carries the province's name, as in Peru.
        foreach (var (prefix, province) in provinceOfPrefix)
        {
            var capital = Country.Features.Single(f => GeneratedCountry.Attribute(f, "UBIGEO") == prefix + "01");
            Assert.Equal(province, GeneratedCountry.Attribute(capital, "NOMBDIST"));
        }
    }

    [Fact]
    public void Provinces_and_departments_are_contiguous_apart_from_islands()
    {
        foreach (var prefixLength in new[] { 2, 4 })
        {
            foreach (var unit in Country.Features.GroupBy(f => GeneratedCountry.Attribute(f, "UBIGEO")[..prefixLength]))
            {
                var geometries = unit.Select(f => f.Geometry).ToArray();
                var islandParts = geometries.Sum(g => g.NumGeometries - 1);
                var union = CoverageUnion.Union(geometries);
                Assert.InRange(union.NumGeometries, 1, 1 + islandParts);
            }
        }
    }

    [Fact]
    public void Has_a_lake_that_no_district_owns_an_enclave_hole_and_island_multipolygons()
    {
        var geometries = Country.Features.Select(f => f.Geometry).ToArray();
        var union = CoverageUnion.Union(geometries);

        // The union is the mainland plus the islands, and the mainland has the lake as a hole.
        Assert.Equal(1 + Country.Result.IslandCount, union.NumGeometries);
        var mainland = Enumerable.Range(0, union.NumGeometries)
            .Select(i => (Polygon)union.GetGeometryN(i))
            .MaxBy(p => p.Area)!;
        Assert.Equal(Country.Result.LakeCount, mainland.NumInteriorRings);
        var lake = mainland.Factory.CreatePolygon(mainland.GetInteriorRingN(0).Coordinates);
        Assert.True(EqualAreaProjection.AreaSquareKilometres(lake) > 100);
        Assert.DoesNotContain(geometries, g => g.Contains(lake.InteriorPoint));

        // Enclaved districts: holes in their hosts, filled exactly by another district.
        var withHoles = geometries
            .SelectMany(g => Enumerable.Range(0, g.NumGeometries).Select(i => (Polygon)g.GetGeometryN(i)))
            .Where(p => p.NumInteriorRings > 0)
            .ToArray();
        Assert.NotEmpty(withHoles);
        Assert.Equal(Country.Result.DistrictHoleCount, withHoles.Sum(p => p.NumInteriorRings));
        foreach (var host in withHoles)
        {
            var hole = host.Factory.CreatePolygon(host.GetInteriorRingN(0).Coordinates);
            Assert.Contains(geometries, g => g.EqualsTopologically(hole));
        }

        var multipolygons = geometries.OfType<MultiPolygon>().Where(m => m.NumGeometries > 1).ToArray();
        Assert.NotEmpty(multipolygons);
        Assert.Equal(Country.Result.MultiPolygonCount, multipolygons.Length);
        Assert.Equal(Country.Result.IslandCount, multipolygons.Sum(m => m.NumGeometries - 1));
    }

    [Fact]
    public void Estimates_csv_has_the_poverty_csv_header_a_row_per_district_and_some_empty_cells()
    {
        var lines = Country.EstimateLines;
        Assert.Equal(SampleCountryGenerator.EstimatesHeader, lines[0]);
        Assert.Equal(
            "ubigeo,departamento,provincia,distrito,poblacion,pobreza_pct,pobreza_extrema_pct,idh,vulnerabilidad_alimentaria",
            lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.All(rows, r => Assert.Equal(9, r.Length));

        var codes = Country.Features.Select(f => GeneratedCountry.Attribute(f, "UBIGEO")).Order(StringComparer.Ordinal);
        Assert.Equal(codes, rows.Select(r => r[0]));

        var empty = rows.Sum(r => r.Skip(4).Count(string.IsNullOrEmpty));
        Assert.Equal(Country.Result.MissingEstimateCells, empty);
        Assert.InRange(empty, 1, rows.Length * 5 / 20);

        var formats = new[] { "^[0-9]+$", @"^[0-9]+\.[0-9]{2}$", @"^[0-9]+\.[0-9]{2}$", @"^0\.[0-9]{4}$", @"^0\.[0-9]{4}$" };
        var ranges = new[] { (1.0, 10_000_000.0), (0.0, 100.0), (0.0, 100.0), (0.0, 1.0), (0.0, 1.0) };
        foreach (var row in rows)
        {
            for (var c = 0; c < 5; c++)
            {
                var cell = row[4 + c];
                if (cell.Length == 0)
                {
                    continue;
                }

                Assert.Matches(formats[c], cell);
                Assert.InRange(double.Parse(cell, CultureInfo.InvariantCulture), ranges[c].Item1, ranges[c].Item2);
            }

            if (row[5].Length > 0 && row[6].Length > 0)
            {
                Assert.True(
                    double.Parse(row[6], CultureInfo.InvariantCulture) <= double.Parse(row[5], CultureInfo.InvariantCulture),
                    $"extreme poverty above poverty in {row[0]}");
            }
        }
    }

    [Fact]
    public void Estimates_have_spatial_structure_dense_districts_are_less_poor()
    {
        var areaOf = Country.Features.ToDictionary(
            f => GeneratedCountry.Attribute(f, "UBIGEO"),
            f => EqualAreaProjection.AreaSquareKilometres(f.Geometry));
        var rows = Country.EstimateLines.Skip(1)
            .Select(l => l.Split(','))
            .Where(r => r[4].Length > 0 && r[5].Length > 0)
            .Select(r => (
                Density: double.Parse(r[4], CultureInfo.InvariantCulture) / areaOf[r[0]],
                Poverty: double.Parse(r[5], CultureInfo.InvariantCulture)))
            .OrderByDescending(r => r.Density)
            .ToArray();

        var densestTenth = rows.Take(rows.Length / 10).Average(r => r.Poverty);
        var sparsestHalf = rows.Skip(rows.Length / 2).Average(r => r.Poverty);
        Assert.True(densestTenth + 10 < sparsestHalf, $"densest tenth {densestTenth:0.0}% vs sparsest half {sparsestHalf:0.0}%");
        Assert.True(rows[0].Density > 100 * rows[^1].Density, "population density should vary by orders of magnitude");
    }

    [Fact]
    public void Names_with_accents_round_trip_as_utf8_in_both_files()
    {
        var nameOf = Country.Features.ToDictionary(
            f => GeneratedCountry.Attribute(f, "UBIGEO"),
            f => (
                Department: GeneratedCountry.Attribute(f, "NOMBDEP"),
                Province: GeneratedCountry.Attribute(f, "NOMBPROV"),
                District: GeneratedCountry.Attribute(f, "NOMBDIST")));

        var accented = nameOf.Values.Select(n => n.District).Where(n => n.Any(ch => ch > 127)).ToArray();
        Assert.NotEmpty(accented);
        Assert.All(accented, n => Assert.Matches("^[A-ZÑÁÉÍÓÚ ]+$", n));
        Assert.All(nameOf.Values, n => Assert.True(n.District.Length > 0 && n.District == n.District.Trim()));

        foreach (var row in Country.EstimateLines.Skip(1).Select(l => l.Split(',')))
        {
            Assert.Equal(nameOf[row[0]], (row[1], row[2], row[3]));
        }

        var regions = Country.Features.Select(f => GeneratedCountry.Attribute(f, "REGNAT")).Distinct().Order().ToArray();
        Assert.Equal(["Costa", "Selva", "Sierra"], regions);
        Assert.All(Country.Features, f => Assert.NotEmpty(GeneratedCountry.Attribute(f, "CAPITAL")));
    }

    [Fact]
    public void Rejects_district_counts_outside_the_supported_range()
    {
        var directory = Path.Combine(Path.GetTempPath(), "tileserver-sample-rejected");
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleCountryGenerator.Generate(
            new SampleCountryOptions { DistrictCount = SampleCountryOptions.MinDistrictCount - 1, OutputDirectory = directory }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SampleCountryGenerator.Generate(
            new SampleCountryOptions { DistrictCount = SampleCountryOptions.MaxDistrictCount + 1, OutputDirectory = directory }));
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public void A_five_thousand_district_country_is_a_clean_coverage_with_codes_that_fit()
    {
        using var large = new GeneratedCountry(districtCount: 5_000, seed: 3);
        var geometries = large.Features.Select(f => f.Geometry).ToArray();

        Assert.Equal(5_000, geometries.Length);
        Assert.All(geometries, g => Assert.True(g.IsValid));
        Assert.True(CoverageValidator.IsValid(geometries));
        var codes = large.Features.Select(f => GeneratedCountry.Attribute(f, "UBIGEO")).ToArray();
        Assert.Equal(codes.Length, codes.Distinct().Count());
        Assert.All(codes, code => Assert.Matches("^[0-9]{2}[0-9]{2}(0[1-9]|[1-9][0-9])$", code));
        foreach (var province in large.Features.GroupBy(f => GeneratedCountry.Attribute(f, "UBIGEO")[..4]))
        {
            var union = CoverageUnion.Union(province.Select(f => f.Geometry).ToArray());
            Assert.InRange(union.NumGeometries, 1, 1 + province.Sum(f => f.Geometry.NumGeometries - 1));
        }

        Assert.Equal(5_000, large.EstimateLines.Length - 1);
    }
}
