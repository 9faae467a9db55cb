using TileServer.Core.Admin;
using TileServer.Core.Coverage;
using TileServer.Core.Dataset;
using TileServer.Core.Ingest;
using TileServer.Core.Join;
using TileServer.Core.Model;
using TileServer.Core.Tests.Support;

namespace TileServer.Core.Tests.Admin;

public class AdminLevelBuilderTests
{
    private static AdminLayer FourSquareDistricts(TempFolder temp, out DatasetOptions options)
    {
        var shp = SmallLayers.WriteShapefile(temp.Path, SmallLayers.FourSquares());
        var csv = SmallLayers.WriteCsv(temp.Path, SmallLayers.FourSquaresCsv);
        options = new DatasetOptions { Districts = shp, Estimates = csv };
        return DistrictJoiner.Join(PolygonLayerReader.Read(shp), EstimatesCsvReader.Read(csv), options.ToJoinOptions()).Districts;
    }

    private static AdminLayer Derive(AdminLayer districts, AdminLevel level, DatasetOptions options, bool withTopology)
    {
        var parents = ParentIndex.FromDistrictCodes(options.ToAdminCodes(), [.. districts.Units.Select(u => u.Code)]);
        var topology = withTopology
            ? AdminTopology.Build(CoverageTopology.FromCoverage([.. districts.Units.Select(u => u.Geometry)]) ?? throw new InvalidOperationException("not a coverage"), parents)
            : null;
        return AdminLevelBuilder.Build(districts, level, parents, options.ResolveColumnRoles(districts.Columns), options.NameFields(level), topology);
    }

    [Fact]
    public void Sums_counts_and_weights_rates_by_population_over_districts_with_both()
    {
        using var temp = new TempFolder();
        var districts = FourSquareDistricts(temp, out var options);

        var departments = Derive(districts, AdminLevel.Department, options, withTopology: true);

        var amazonas = departments.Find("01")!;
        Assert.Equal(["poblacion", "pobreza_pct"], departments.Columns.Select(c => c.Name));
        Assert.Equal(4000.0, amazonas.Values[0]);
        // 010201 has a rate but no population: it cannot weigh in.
        Assert.Equal(((1000 * 10.0) + (3000 * 30.0)) / 4000, (double)amazonas.Values[1]!, 12);
        Assert.Equal("AMAZONAS", amazonas.Name);
        Assert.Equal(3.0, amazonas.Geometry.Area, 9);
        Assert.Null(departments.Find("02")!.Values[1]);
    }

    [Fact]
    public void Provinces_name_their_department()
    {
        using var temp = new TempFolder();
        var districts = FourSquareDistricts(temp, out var options);

        var provinces = Derive(districts, AdminLevel.Province, options, withTopology: false);

        Assert.Equal(["0101", "0102", "0201"], provinces.Units.Select(p => p.Code));
        Assert.Equal("01", provinces.Find("0102")!.DepartmentCode);
        Assert.Equal("BAGUA", provinces.Find("0102")!.Name);
    }
}
