using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using TileServer.Core.Storage;
using TileServer.Core.Tests.Support;
using TileServer.Core.Tiles;

namespace TileServer.Core.Tests.Storage;

/// <summary>
/// Archives written by <see cref="PmTilesWriter"/> read by the protomaps reference implementation (npm
/// <c>pmtiles</c>, <c>tests/pmtiles-reader/read.mjs</c>): same tiles, same TileIDs, same header counts.
/// </summary>
public sealed class PmTilesReferenceReaderTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [NodeFact]
    public void The_reference_reader_finds_every_tile_of_a_root_only_archive() =>
        CheckWithReferenceReader(SyntheticTileSource.Small(), expectLeaves: false);

    [NodeFact]
    public void The_reference_reader_finds_every_tile_through_leaf_directories() =>
        CheckWithReferenceReader(SyntheticTileSource.Dense(7), expectLeaves: true);

    private void CheckWithReferenceReader(SyntheticTileSource source, bool expectLeaves)
    {
        var path = _folder.File("tiles.pmtiles");
        var report = PmTilesWriter.Write(source, path);
        TileId[] absent = [new(8, 0, 0), new(7, 127, 127), new(9, 1, 1)];
        var addresses = source.TileIds.Concat(absent.Where(a => !source.TryGetTile(a, out _))).ToArray();

        var lines = NodeReader.Run(path, addresses.Select(a => a.ToString()));

        using var summary = JsonDocument.Parse(lines[0]);
        var header = summary.RootElement.GetProperty("header");
        Assert.Equal(3, header.GetProperty("specVersion").GetInt32());
        Assert.True(header.GetProperty("clustered").GetBoolean());
        Assert.Equal(report.AddressedTiles, header.GetProperty("numAddressedTiles").GetInt64());
        Assert.Equal(report.TileEntries, header.GetProperty("numTileEntries").GetInt64());
        Assert.Equal(report.TileContents, header.GetProperty("numTileContents").GetInt64());
        Assert.Equal(expectLeaves, header.GetProperty("leafDirectoryLength").GetInt64() > 0);
        Assert.Equal(source.Info.Bounds[0], header.GetProperty("minLon").GetDouble(), 1e-7);
        Assert.Equal(source.Info.Center[1], header.GetProperty("centerLat").GetDouble(), 1e-7);
        var layers = summary.RootElement.GetProperty("metadata").GetProperty("vector_layers");
        Assert.Equal(source.Info.VectorLayers.Select(l => l.Id), layers.EnumerateArray().Select(l => l.GetProperty("id").GetString()));

        Assert.Equal(addresses.Length + 1, lines.Length);
        for (var i = 0; i < addresses.Length; i++)
        {
            var fields = lines[i + 1].Split('\t');
            Assert.Equal(addresses[i].ToString(), fields[0]);
            Assert.Equal(PmTilesTileId.FromTile(addresses[i]).ToString(), fields[1]);
            var expected = source.TryGetTile(addresses[i], out var tile) ? Convert.ToHexStringLower(SHA256.HashData(tile.Mvt.Span)) : "-";
            Assert.True(expected == fields[2], $"tile {addresses[i]}: the reference reader returned {fields[2]}, expected {expected}");
        }
    }
}

/// <summary>Runs <c>tests/pmtiles-reader/read.mjs</c> with node.</summary>
internal static class NodeReader
{
    public static string? ScriptFolder { get; } = Locate();

    public static string? SkipReason { get; } =
        ScriptFolder is null ? "tests/pmtiles-reader not found beside the test assembly's repository"
        : !Directory.Exists(Path.Combine(ScriptFolder, "node_modules", "pmtiles")) ? $"npm packages missing: run 'npm ci' in {ScriptFolder} (.ci/run does)"
        : !NodeOnPath() ? "node is not on the PATH: the PMTiles reference-reader cross-check needs it"
        : null;

    public static string[] Run(string archive, IEnumerable<string> addresses)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(ScriptFolder!, "read.mjs"), archive])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ScriptFolder!,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(string.Join('\n', addresses));
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill();
            Assert.Fail("read.mjs did not finish within 2 minutes");
        }

        Assert.True(process.ExitCode == 0, $"read.mjs failed ({process.ExitCode}): {error.Result}");
        return output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool NodeOnPath() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => File.Exists(Path.Combine(dir, "node")) || File.Exists(Path.Combine(dir, "node.exe")));

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TileServer.sln")))
            {
                var folder = Path.Combine(dir.FullName, "tests", "pmtiles-reader");
                return File.Exists(Path.Combine(folder, "read.mjs")) ? folder : null;
            }
        }

        return null;
    }
}

/// <summary>A fact that needs node and the pinned npm <c>pmtiles</c>; skipped, saying why, without them.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (NodeReader.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
