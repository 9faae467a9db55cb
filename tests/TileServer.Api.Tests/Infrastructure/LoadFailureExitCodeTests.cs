using System.Buffers.Binary;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Infrastructure;

/// <summary>
/// A load failure ends the same way from the server and from every command: one line on stderr naming the file,
/// exit code 2 for a missing or unreadable file, 1 for a file that cannot be used (README, "Bad input files").
/// Each case breaks a copy of the embedded sample.
/// </summary>
public sealed class LoadFailureExitCodeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tileserver-exit-").FullName;

    public LoadFailureExitCodeTests()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "geodata", "sample")))
        {
            File.Copy(file, Path.Combine(_folder, Path.GetFileName(file)));
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, int, string> Cases => new()
    {
        { "missing .dbf", 2, "districts.dbf" },
        { "estimates path is a directory", 2, "estimates.csv" },
        { ".dbf with 297 of 300 records", 1, "districts.dbf" },
        { "NaN in poblacion", 1, "estimates.csv" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_server_exits_with_the_code_and_one_line(string mutant, int exitCode, string file)
    {
        Break(mutant);

        var (code, _, stderr) = await ServerProcess.RunAsync($"--Dataset:Districts={Path.Combine(_folder, "districts.shp")}", $"--Dataset:Estimates={Path.Combine(_folder, "estimates.csv")}", "--urls=http://127.0.0.1:0", "--Tiles:Enabled=false");

        Assert.Equal(exitCode, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(Path.Combine(_folder, file), line, StringComparison.Ordinal);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Build_tiles_exits_with_the_same_code(string mutant, int exitCode, string file)
    {
        Break(mutant);

        var (code, _, stderr) = await ServerProcess.RunAsync("build-tiles", $"--Dataset:Districts={Path.Combine(_folder, "districts.shp")}", $"--Dataset:Estimates={Path.Combine(_folder, "estimates.csv")}", "--Tiles:MaxZoom=2");

        Assert.Equal(exitCode, code);
        Assert.Contains(Path.Combine(_folder, file), Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Export_tiles_exits_with_the_same_code(string mutant, int exitCode, string file)
    {
        Break(mutant);

        var (code, _, stderr) = await ServerProcess.RunAsync("export-tiles", "--pmtiles", Path.Combine(_folder, "out.pmtiles"), $"--Dataset:Districts={Path.Combine(_folder, "districts.shp")}", $"--Dataset:Estimates={Path.Combine(_folder, "estimates.csv")}", "--Tiles:MaxZoom=2");

        Assert.Equal(exitCode, code);
        Assert.Contains(Path.Combine(_folder, file), Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    private void Break(string mutant)
    {
        var dbf = Path.Combine(_folder, "districts.dbf");
        var csv = Path.Combine(_folder, "estimates.csv");
        switch (mutant)
        {
            case "missing .dbf":
                File.Delete(dbf);
                break;
            case "estimates path is a directory":
                File.Delete(csv);
                Directory.CreateDirectory(csv);
                break;
            case ".dbf with 297 of 300 records":
                var bytes = File.ReadAllBytes(dbf);
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 297);
                File.WriteAllBytes(dbf, bytes);
                break;
            case "NaN in poblacion":
                var lines = File.ReadAllLines(csv);
                var column = Array.IndexOf(lines[0].Split(','), "poblacion");
                var cells = lines[2].Split(',');
                cells[column] = "NaN";
                lines[2] = string.Join(',', cells);
                File.WriteAllLines(csv, lines);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mutant), mutant, null);
        }
    }
}
