using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TileServer.Api.Tests.Support;
using TileServer.Core.Dataset;

namespace TileServer.Api.Tests.Health;

public class HealthApiTests
{
    [Fact]
    public async Task Ready_and_v1_are_503_problem_until_a_snapshot_is_published()
    {
        await using var factory = new NotLoadingFactory();
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var notReady = await client.GetAsync("/health/ready");
        using var dataset = await client.GetAsync("/v1/dataset");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        await ProblemAssert.IsProblemAsync(notReady, 503);
        await ProblemAssert.IsProblemAsync(dataset, 503);

        var options = factory.Services.GetRequiredService<IOptions<DatasetOptions>>().Value;
        var snapshot = DatasetLoader.Load(options);
        factory.Services.GetRequiredService<DatasetStore>().Publish(snapshot);

        using var ready = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains(snapshot.Version, await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/v1/dataset")]
    [InlineData("GET", "/v1/districts/010101")]
    [InlineData("GET", "/v1/provinces/0101")]
    [InlineData("GET", "/v1/departments/01")]
    [InlineData("GET", "/v1/aggregate?bbox=-75,-10,-74,-9")]
    [InlineData("GET", "/v1/aggregate?lat=-10&lon=-74&radiusKm=5")]
    [InlineData("POST", "/v1/aggregate")]
    [InlineData("GET", "/v1/lookup?lat=-10&lon=-74")]
    [InlineData("POST", "/v1/lookup")]
    [InlineData("GET", "/tiles/poverty.json")]
    [InlineData("GET", "/tiles/poverty/0/0/0.mvt")]
    [InlineData("HEAD", "/v1/dataset")]
    public async Task Every_503_while_the_dataset_loads_carries_Retry_After(string method, string path)
    {
        await using var factory = new NotLoadingFactory();
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = new StringContent("""{"type":"Polygon","coordinates":[[[-74,-10],[-73.9,-10],[-73.9,-9.9],[-74,-10]]]}""", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var retryAfter = response.Headers.RetryAfter;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Delta!.Value.TotalSeconds, 1, 3600);
    }

    /// <summary>The server over the embedded sample with its background load removed, so that nothing is published.</summary>
    private sealed class NotLoadingFactory() : TileServerFactory(new Dictionary<string, string?>())
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services =>
            {
                foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DatasetLoadService").ToList())
                {
                    services.Remove(hosted);
                }
            });
        }
    }

    [Theory]
    [InlineData("--Dataset:Districts=/nonexistent/districts.shp", "/nonexistent/districts.shp")]
    [InlineData("--Dataset:Estimates=/nonexistent/poverty.csv", "/nonexistent/poverty.csv")]
    public async Task Missing_file_stops_start_up_with_one_line_naming_it_and_exit_code_2(string argument, string file)
    {
        var (exitCode, stdout, stderr) = await RunServerAsync(argument, "--urls=http://127.0.0.1:0");

        Assert.Equal(2, exitCode);
        var errorLines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(errorLines);
        Assert.Contains(file, errorLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Corrupt_file_stops_the_server_with_one_line_and_exit_code_1()
    {
        var folder = Directory.CreateTempSubdirectory("tileserver-api-");
        try
        {
            var shp = Path.Combine(folder.FullName, "broken.shp");
            await File.WriteAllBytesAsync(shp, new byte[50]);
            await File.WriteAllBytesAsync(Path.ChangeExtension(shp, ".shx"), new byte[50]);
            await File.WriteAllBytesAsync(Path.ChangeExtension(shp, ".dbf"), new byte[50]);

            var csv = Path.Combine(folder.FullName, "estimates.csv");
            await File.WriteAllTextAsync(csv, "ubigeo,poblacion\n010101,1\n");

            var (exitCode, _, stderr) = await RunServerAsync($"--Dataset:Districts={shp}", $"--Dataset:Estimates={csv}", "--urls=http://127.0.0.1:0");

            Assert.Equal(1, exitCode);
            var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(shp, line, StringComparison.Ordinal);
            Assert.Contains("truncated", line, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    internal static async Task<(int ExitCode, string Stdout, string Stderr)> RunServerAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TileServer.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
