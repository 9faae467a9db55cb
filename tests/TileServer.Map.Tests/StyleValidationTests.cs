using System.Diagnostics;
using System.Text.Json.Nodes;
using TileServer.Map.Tests.Support;

namespace TileServer.Map.Tests;

/// <summary>
/// <c>/styles/poverty.json</c> checked by the style specification's own validator (npm
/// <c>@maplibre/maplibre-gl-style-spec</c>, <c>gl-style-validate</c>), for every indicator.
/// </summary>
[Collection(MapCollection.Name)]
public sealed class StyleValidationTests(MapServerFixture server)
{
    [ValidatorFact]
    public async Task The_style_of_every_indicator_validates()
    {
        foreach (var indicator in server.Snapshot.Classes.Indicators)
        {
            var style = await server.Http.GetStringAsync($"/styles/poverty.json?indicator={indicator}");

            var (exit, output) = Validate(style);

            Assert.True(exit == 0 && output.Length == 0, $"{indicator}: gl-style-validate exit {exit}: {output}");
        }
    }

    [ValidatorFact]
    public async Task The_validator_rejects_a_broken_copy_so_the_check_can_fail()
    {
        var style = JsonNode.Parse(await server.Http.GetStringAsync("/styles/poverty.json"))!.AsObject();
        style["layers"]!.AsArray()[1]!["type"] = "choropleth";

        var (exit, output) = Validate(style.ToJsonString());

        Assert.NotEqual(0, exit);
        Assert.Contains("choropleth", output, StringComparison.Ordinal);
    }

    private static (int Exit, string Output) Validate(string style)
    {
        var file = Path.Combine(Path.GetTempPath(), $"poverty-style-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, style);
        try
        {
            var validator = Path.Combine(RealClients.MapFolder, "node_modules", "@maplibre", "maplibre-gl-style-spec", "dist", "gl-style-validate.mjs");
            using var process = Process.Start(new ProcessStartInfo("node", [validator, file])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = RealClients.MapFolder,
            })!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("gl-style-validate did not finish in 60 s");
            }

            return (process.ExitCode, (stdout.Result + stderr.Result).Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }
}
