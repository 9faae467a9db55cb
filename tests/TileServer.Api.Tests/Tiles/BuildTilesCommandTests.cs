using System.Text.RegularExpressions;
using TileServer.Api.Tests.Health;

namespace TileServer.Api.Tests.Tiles;

/// <summary>The README's <c>build-tiles</c> command: builds the tileset offline and prints count, bytes and time per zoom.</summary>
public class BuildTilesCommandTests
{
    [Fact]
    public async Task Build_tiles_prints_the_total_and_one_line_per_zoom_that_add_up()
    {
        var sample = Path.Combine(AppContext.BaseDirectory, "geodata", "sample");
        var (exitCode, stdout, stderr) = await HealthApiTests.RunServerAsync(
            "build-tiles", "--districts", Path.Combine(sample, "districts.shp"), "--estimates", Path.Combine(sample, "estimates.csv"), "--max-zoom", "4");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        var total = Regex.Match(stdout, @"^(\d+) tiles z0-z4, ", RegexOptions.Multiline);
        Assert.True(total.Success, stdout);
        var zooms = Regex.Matches(stdout, @"^z(\d+): (\d+) tiles, ", RegexOptions.Multiline);
        Assert.Equal([0, 1, 2, 3, 4], zooms.Select(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal(int.Parse(total.Groups[1].Value), zooms.Sum(m => int.Parse(m.Groups[2].Value)));
        Assert.Equal(1, int.Parse(zooms[0].Groups[2].Value));
    }

    [Fact]
    public async Task Build_tiles_with_a_missing_file_is_one_line_and_a_non_zero_exit()
    {
        var (exitCode, _, stderr) = await HealthApiTests.RunServerAsync("build-tiles", "--districts", "/nonexistent/d.shp", "--estimates", "/nonexistent/e.csv");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("/nonexistent/", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
