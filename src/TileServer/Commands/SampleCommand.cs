using System.CommandLine;
using TileServer.Core.Sample;

namespace TileServer.Commands;

/// <summary><c>generate-sample --districts N --seed S --out DIR</c>: writes a synthetic country (shapefile + estimates CSV).</summary>
internal static class SampleCommand
{
    public static Command Create()
    {
        var districts = new Option<int>("--districts") { Description = $"number of districts ({SampleCountryOptions.MinDistrictCount} to {SampleCountryOptions.MaxDistrictCount})", DefaultValueFactory = _ => 300 };
        var seed = new Option<int>("--seed") { Description = "random seed: the same seed and count give byte-identical files", DefaultValueFactory = _ => 1 };
        var output = new Option<DirectoryInfo>("--out") { Description = "output folder (created if needed)", Required = true };
        var command = new Command("generate-sample", "Write a synthetic country: districts.shp (+ .shx .dbf .prj .cpg) and estimates.csv.")
        {
            districts, seed, output,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(districts);
            if (count is < SampleCountryOptions.MinDistrictCount or > SampleCountryOptions.MaxDistrictCount)
            {
                Console.Error.WriteLine($"error: --districts must be between {SampleCountryOptions.MinDistrictCount} and {SampleCountryOptions.MaxDistrictCount}, got {count}");
                return 2;
            }

            var result = SampleCountryGenerator.Generate(new SampleCountryOptions
            {
                DistrictCount = count,
                Seed = parse.GetValue(seed),
                OutputDirectory = parse.GetValue(output)!.FullName,
            });
            Console.WriteLine($"{result.ShapefilePath}: {result.DistrictCount} districts, {result.ProvinceCount} provinces, {result.DepartmentCount} departments, {result.MultiPolygonCount} multipolygons, {result.DistrictHoleCount} districts with holes, {result.LakeCount} lakes");
            Console.WriteLine($"{result.EstimatesPath}: {result.DistrictCount} rows, {result.MissingEstimateCells} empty cells");
            return 0;
        });
        return command;
    }
}
