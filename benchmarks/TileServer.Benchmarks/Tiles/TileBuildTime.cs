using System.Diagnostics;
using TileServer.Core.Model;
using TileServer.Core.Tiles;

namespace TileServer.Benchmarks.Tiles;

/// <summary>
/// <c>dotnet run -c Release --project benchmarks/TileServer.Benchmarks -- tile-build-time [runs|serve]</c>: the
/// districts-only z0-z10 build (<see cref="PeruTileData.DistrictsOnly"/>) timed by wall clock, for the side-by-side
/// script with PostGIS (<c>benchmarks/tiles-postgis/compare.sh</c>), which cannot wait for BenchmarkDotNet. Peru is
/// loaded once and each variant built once to warm up (its bytes per zoom printed, and a <c>SIZES</c> line); then
/// either <c>runs</c> timed builds of each (default 5) and the medians, or, with <c>serve</c>, <c>READY</c> and one
/// timed build per variant name read from stdin (a <c>TIME</c> line each), so that the script can interleave them
/// with the PostGIS runs and both see the same load on the shared cores. Run it with the server's runtime settings,
/// <c>DOTNET_TieredCompilation=0 DOTNET_gcServer=1</c>, as the script does.
/// </summary>
/// <remarks>
/// The two variants carry what PostGIS's two queries carry: geometry + integer feature id
/// (<c>Tiles:Attributes=false</c>, the district code as id), and geometry + the 6-character <c>code</c> string
/// without an id. The builder writes the code string without attributes only when it is not numeric, so the second
/// variant builds from a copy of the districts whose codes have their first digit replaced by a letter (0 to A ... 9
/// to J): the same length, still unique and in the same order, so the tiles hold exactly as many bytes as the real
/// codes would. PostGIS does not compress; the builder also gzips every tile (in its <c>encode</c>
/// step, printed with the others).
/// </remarks>
internal static class TileBuildTime
{
    public static void Run(string[] args)
    {
        var serve = args.Length > 1 && args[1] == "serve";
        var runs = !serve && args.Length > 1 && int.TryParse(args[1], out var n) && n > 0 ? n : 5;
        var snapshot = PeruTileData.Load();
        var withCodes = WithNonNumericCodes(snapshot.Districts);
        var options = PeruTileData.DistrictsOnly();
        var variants = new Dictionary<string, Func<Tileset>>(StringComparer.Ordinal)
        {
            ["id"] = () => PeruTileData.Build(snapshot, options),
            ["code"] = () => TilesetBuilder.Build(snapshot.Departments, snapshot.Provinces, withCodes, snapshot.Parents, snapshot.LabelPoints, snapshot.Topology, snapshot.Version, options),
        };

        foreach (var (name, build) in variants)
        {
            var warmUpMs = Time(build, out var tileset);
            PrintSizes(name, warmUpMs, tileset);
        }

        if (serve)
        {
            Console.WriteLine("READY");
            while (Console.ReadLine() is { } line)
            {
                var name = line.Trim();
                if (variants.TryGetValue(name, out var build))
                {
                    var ms = Time(build, out var tileset);
                    Console.WriteLine($"TIME {name} {ms:F0} steps: {Steps(tileset)}");
                }
                else
                {
                    Console.WriteLine($"UNKNOWN {name}: expected one of {string.Join(", ", variants.Keys)}");
                }
            }

            return;
        }

        foreach (var (name, build) in variants)
        {
            var times = new List<double>();
            Tileset? last = null;
            for (var run = 0; run < runs; run++)
            {
                times.Add(Time(build, out last));
            }

            times.Sort();
            var median = times.Count % 2 == 1 ? times[times.Count / 2] : (times[(times.Count / 2) - 1] + times[times.Count / 2]) / 2;
            Console.WriteLine($"RESULT {name} median_ms={median:F0} runs: {string.Join(", ", times.Select(t => $"{t:F0}"))} ms; last run's steps: {Steps(last!)}");
        }
    }

    private static double Time(Func<Tileset> build, out Tileset tileset)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var clock = Stopwatch.StartNew();
        tileset = build();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static string Steps(Tileset tileset) => string.Join(", ", tileset.Statistics.StepsMs.Select(kv => $"{kv.Key} {kv.Value} ms"));

    private static void PrintSizes(string name, double warmUpMs, Tileset tileset)
    {
        var s = tileset.Statistics;
        Console.WriteLine($"## districts only, z0-z10, geometry + {name}: {s.Tiles} tiles, {s.MvtBytes:N0} MVT bytes, largest {s.LargestTileBytes:N0} ({s.LargestTile}), {s.CollapsedUnits:N0} collapsed units kept; warm-up build {warmUpMs:F0} ms");
        Console.WriteLine("| zoom | tiles | MVT bytes | largest tile |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var z in s.Zooms)
        {
            Console.WriteLine($"| {z.Zoom} | {z.Tiles} | {z.MvtBytes:N0} | {z.LargestTileBytes:N0} |");
        }

        var low = s.Zooms.Where(z => z.Zoom <= 6).Sum(z => z.MvtBytes);
        var z4 = s.Zooms.Where(z => z.Zoom == 4).Select(z => z.LargestTileBytes).DefaultIfEmpty(0).Max();
        Console.WriteLine($"SIZES {name} z0_z6_bytes={low} z4_largest_bytes={z4} tiles={s.Tiles} bytes={s.MvtBytes}");
        Console.WriteLine();
    }

    private static AdminLayer WithNonNumericCodes(AdminLayer districts) => new(
        districts.Level,
        districts.Columns,
        [.. districts.Units.Select(u => new AdminUnit
        {
            Level = u.Level,
            Code = (char)('A' + (u.Code[0] - '0')) + u.Code[1..],
            Name = u.Name,
            ProvinceCode = u.ProvinceCode,
            DepartmentCode = u.DepartmentCode,
            Geometry = u.Geometry,
            SourceGeometry = u.SourceGeometry,
            Values = u.Values,
            HasEstimates = u.HasEstimates,
            AreaKm2 = u.AreaKm2,
            Attributes = u.Attributes,
        })]);
}
