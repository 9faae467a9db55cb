using System.Text.RegularExpressions;
using TileServer.Api.Tests.Support;

namespace TileServer.Api.Tests.Commands;

/// <summary><c>build-tiles</c> reads the configuration as <c>serve</c> does: appsettings, environment, <c>--Key=value</c>.</summary>
public partial class BuildTilesCommandTests
{
    [Fact]
    public async Task Builds_the_dataset_of_appsettings_with_the_environment_and_then_the_arguments_applied()
    {
        // appsettings.json names the embedded sample; the environment sets the zoom, and an argument overrides it.
        var fromEnvironment = await ServerProcess.RunAsync(new Dictionary<string, string> { ["Tiles__MaxZoom"] = "2" }, "build-tiles");
        var fromArgument = await ServerProcess.RunAsync(new Dictionary<string, string> { ["Tiles__MaxZoom"] = "2" }, "build-tiles", "--Tiles:MaxZoom=4");

        Assert.Equal(0, fromEnvironment.ExitCode);
        Assert.Equal(["z0", "z1", "z2"], Zooms(fromEnvironment.Stdout));
        Assert.Equal(0, fromArgument.ExitCode);
        Assert.Equal(["z0", "z1", "z2", "z3", "z4"], Zooms(fromArgument.Stdout));
    }

    [Fact]
    public async Task Build_tiles_prints_the_total_and_one_line_per_zoom_that_add_up()
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("build-tiles", "--Tiles:MaxZoom=4");

        Assert.True(exitCode == 0, $"exit code {exitCode}: {stderr}");
        var total = Regex.Match(stdout, @"^(\d+) tiles z0-z4, ", RegexOptions.Multiline);
        Assert.True(total.Success, stdout);
        var zooms = Regex.Matches(stdout, @"^z(\d+): (\d+) tiles, ", RegexOptions.Multiline);
        Assert.Equal([0, 1, 2, 3, 4], zooms.Select(m => int.Parse(m.Groups[1].Value)));
        Assert.Equal(int.Parse(total.Groups[1].Value), zooms.Sum(m => int.Parse(m.Groups[2].Value)));
        Assert.Equal(1, int.Parse(zooms[0].Groups[2].Value));
    }

    [Theory]
    [InlineData("--Dataset:Districts=/nonexistent/districts.shp", "Dataset:Districts: file not found: /nonexistent/districts.shp")]
    [InlineData("--Tiles:Enabled=false", "Tiles:Enabled")]
    [InlineData("--Tiles:MaxZoom=40", "Tiles:MaxZoom must be between 0 and 16")]
    public async Task Invalid_configuration_is_one_line_and_exit_code_2(string argument, string message)
    {
        var (exitCode, stdout, stderr) = await ServerProcess.RunAsync("build-tiles", argument);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    private static List<string> Zooms(string stdout) => [.. ZoomLine().Matches(stdout).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"^(z\d+): \d+ tiles", RegexOptions.Multiline)]
    private static partial Regex ZoomLine();
}
